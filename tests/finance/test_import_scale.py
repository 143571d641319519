"""Scale of the imports: a 10 000-row bank statement and a 100 000-row charges file.

Opt-in (``STREFA_BENCH=1``): they take a while. Each step prints its time, the process's peak
memory so far and its number of queries; the tests check row counts and bounded queries.
"""

import os
import resource
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.imports import preview_bank_statement, preview_charges
from finance.models import Charge, Payment
from finance.services import import_apply
from lib.statements import nrb_from_parts
from premises.models import Premises
from tests.factories import PremisesFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("STREFA_BENCH"), reason="set STREFA_BENCH=1"),
]


def measure(label, func):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = func()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{label}: {elapsed:.1f} s, process peak RSS {peak:.0f} MiB, {len(queries)} queries")
    return result, len(queries)


def test_bank_statement_of_10000_rows(community, building):
    office = UserFactory(is_superuser=True, is_staff=True)
    community.bank_account = nrb_from_parts("11402004", f"{1:016d}")
    community.save()
    flats = Premises.objects.bulk_create(
        PremisesFactory.build(
            building=building,
            number=str(i),
            bank_account=nrb_from_parts("11402004", f"{1000 + i:016d}"),
        )
        for i in range(1, 201)
    )
    lines = [":20:1", f":25:/PL{community.bank_account}"]
    for i in range(10_000):
        flat = flats[i % len(flats)]
        lines.append(f":61:2505050505CN{100 + i % 50},00NTRFNONREF//R{i:08d}")
        lines.append(f":86:020~20Zaliczka lokal {flat.number}~32JAN NOWAK~63{flat.bank_account}")
    content = "\r\n".join(lines).encode("cp1250")
    preview, preview_queries = measure(
        "MT940 10 000 rows, preview",
        lambda: preview_bank_statement(file_name="w.sta", content=content),
    )
    assert len(preview.to_create) == 10_000
    assert preview_queries < 20
    _batch, apply_queries = measure(
        "MT940 10 000 rows, apply", lambda: import_apply(preview=preview, user=office)
    )
    assert Payment.objects.filter(premises__isnull=False).count() == 10_000
    # Bulk inserts (+ history rows); SQLite caps parameters per INSERT, so ~60 rows each.
    assert apply_queries < 1000


def test_charges_of_100000_rows(community, building):
    office = UserFactory(is_superuser=True, is_staff=True)
    Premises.objects.bulk_create(
        PremisesFactory.build(building=building, number=str(i)) for i in range(1, 1001)
    )
    lines = ["lokal;kategoria;okres;kwota"]
    categories = ["zaliczka", "fundusz remontowy", "woda", "c.o.", "odpady"]
    for flat in range(1, 1001):
        for month in range(1, 21):
            for category in categories:
                lines.append(
                    f"{flat};{category};{2024 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d};12,34"
                )
    content = "\r\n".join(lines).encode("cp1250")
    preview, preview_queries = measure(
        "charges 100 000 rows, preview",
        lambda: preview_charges(community=community, file_name="n.csv", content=content),
    )
    assert len(preview.to_create) == 100_000
    assert preview_queries <= 2
    measure("charges 100 000 rows, apply", lambda: import_apply(preview=preview, user=office))
    assert Charge.objects.count() == 100_000
    again, _ = measure(
        "charges 100 000 rows, re-import preview",
        lambda: preview_charges(community=community, file_name="n.csv", content=content),
    )
    assert again.to_create == []
