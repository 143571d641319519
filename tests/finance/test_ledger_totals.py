"""The ledger totals behind the office's balance list stay right on every write path, and the
list's figures stay the resident selectors' figures (issue 12: "Salda lokali" at scale)."""

import datetime
import pathlib
import threading
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse

from api.keys import api_key_create
from api.models import ApiKey
from finance import demo
from finance.imports import preview_bank_statement, preview_charges
from finance.models import Charge, Fund, FundAccount, LedgerTotal, Payment
from finance.selectors import (
    arrears_age,
    balances_for_premises,
    premises_in_arrears,
    premises_with_overpayment,
    with_arrears,
)
from finance.services import import_apply, ledger_totals_refresh, payment_assign
from portal.demo import seed_register
from premises.models import Premises
from tests.factories import PremisesFactory, UserFactory, add_charge, add_payment

pytestmark = pytest.mark.django_db
D = datetime.date
ACCOUNT_12 = "34109010140000071219812875"
REPAIR_ACCOUNT = "27114020040000300201355387"


def ledger_sums() -> dict:
    """{(premises_id, fund): (charges, payments)} added up from the ledger itself."""
    sums = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for row in Charge.objects.values("premises_id", "fund").annotate(total=Sum("amount")):
        sums[row["premises_id"], row["fund"]][0] += row["total"]
    payments = Payment.objects.filter(premises__isnull=False).values("premises_id", "fund")
    for row in payments.annotate(total=Sum("amount")):
        sums[row["premises_id"], row["fund"] or Fund.OPERATING][1] += row["total"]
    return {key: tuple(value) for key, value in sums.items()}


def assert_totals_right():
    totals = {(t.premises_id, t.fund): (t.charges, t.payments) for t in LedgerTotal.objects.all()}
    assert totals == ledger_sums()


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


def test_single_saves_and_deletes_keep_the_totals(premises, building):
    other = PremisesFactory(building=building, number="14")
    add_charge(premises, "350.27", D(2026, 5, 10))
    add_charge(premises, "120.00", D(2026, 5, 10), category=Charge.Category.REPAIR_FUND)
    add_charge(other, "-20.00", D(2026, 5, 10), title="Korekta")
    add_payment(premises, "100.00", D(2026, 5, 8))
    repair = add_payment(premises, "60.00", D(2026, 5, 8), fund=Fund.REPAIR)
    add_payment(None, "5.00", D(2026, 5, 8))  # unassigned: in nobody's totals
    assert_totals_right()
    assert LedgerTotal.objects.get(premises=premises, fund=Fund.REPAIR).payments == Decimal("60")
    repair.delete()
    assert_totals_right()


def test_payment_assignment_moves_the_money_between_totals(premises, building, office):
    other = PremisesFactory(building=building, number="14")
    payment = add_payment(None, "99.00", D(2026, 5, 5))
    payment_assign(payment=payment, premises=premises, user=office)
    assert_totals_right()
    payment_assign(payment=Payment.objects.get(pk=payment.pk), premises=other, user=office)
    assert_totals_right()
    assert not LedgerTotal.objects.filter(premises=premises).exists()
    payment_assign(payment=Payment.objects.get(pk=payment.pk), premises=None, user=office)
    assert_totals_right()
    assert not LedgerTotal.objects.exists()


def test_admin_add_and_assignment_keep_the_totals(client, office, premises):
    client.force_login(office)
    response = client.post(
        reverse("admin:finance_charge_add"),
        {"premises": premises.pk, "category": "management", "period": "2026-05-01", "amount": "7"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    payment = add_payment(None, "99.00", D(2026, 5, 5))
    change = reverse("admin:finance_payment_change", args=[payment.pk])
    assert client.post(change, {"premises": premises.pk}).status_code == 302
    assert_totals_right()
    assert LedgerTotal.objects.get(premises=premises).payments == Decimal("99.00")


def test_file_imports_keep_the_totals(premises, office):
    premises.bank_account = ACCOUNT_12
    premises.save()
    FundAccount.objects.create(
        community=premises.building.community, fund="repair", bank_account=REPAIR_ACCOUNT
    )
    charges = (
        "lokal;kategoria;okres;kwota;tytul\n"
        "12;zaliczka na koszty zarządu;2025-05;228,06;Zaliczka 05/2025\n"
        "12;fundusz remontowy;05/2025;135,75;\n"
        "12;woda i ścieki;2025-04;-35,20;Korekta wody\n"
    )
    preview = preview_charges(
        community=premises.building.community, file_name="n.csv", content=charges.encode()
    )
    import_apply(preview=preview, user=office)
    bank = (
        "id_transakcji;data;kwota;tytul;rachunek_odbiorcy\n"
        f"TR-1;05.05.2025;350,27;Lokal 12 zaliczka;{ACCOUNT_12}\n"
        f"TR-2;06.05.2025;100,00;Lokal 12 fundusz;{REPAIR_ACCOUNT}\n"
    )
    import_apply(
        preview=preview_bank_statement(file_name="w.csv", content=bank.encode()), user=office
    )
    assert Charge.objects.count() == 3 and Payment.objects.count() == 2
    assert_totals_right()
    assert LedgerTotal.objects.get(premises=premises, fund="operating").charges == Decimal("192.86")


def test_api_batches_keep_the_totals(client, office, premises):
    community = premises.building.community
    _key, text = api_key_create(
        name="Papirus",
        communities=[community],
        access=ApiKey.Access.READ_WRITE,
        created_by=office,
    )
    headers = {"Authorization": f"Bearer {text}"}
    charges = [{"number": "12", "category": "management", "period": "2026-05", "amount": "350.27"}]
    payments = [
        {
            "bank_reference": "PKO-1",
            "date": "2026-05-08",
            "amount": "300.00",
            "premises_id": premises.pk,
        }
    ]
    for kind, rows in (("charges", charges), ("payments", payments)):
        response = client.post(
            f"/api/v1/communities/{community.pk}/{kind}/batch/",
            {"rows": rows},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200, response.json()
        assert response.json()["created"] == 1
    assert_totals_right()
    assert LedgerTotal.objects.get(premises=premises).payments == Decimal("300.00")


def test_demo_and_scale_seeds_keep_the_totals():
    demo.seed(seed_register())
    assert_totals_right()
    call_command(
        "seed_scale",
        communities=1,
        premises=45,
        ledger=450,
        readings=10,
        letters=1,
        failures=1,
        heavy_premises=40,
        verbosity=0,
    )
    assert Charge.objects.filter(premises__building__community__name__contains="Skala").exists()
    assert_totals_right()


def test_a_full_recount_changes_nothing(premises):
    add_charge(premises, "350.27", D(2026, 5, 10))
    add_payment(premises, "10.00", D(2026, 5, 8))
    before = ledger_sums()
    ledger_totals_refresh()
    assert_totals_right()
    assert ledger_sums() == before


def test_only_the_one_function_writes_the_totals():
    root = pathlib.Path(__file__).resolve().parents[2]
    writers = set()
    tops = [
        top
        for top in root.iterdir()
        if top.is_dir() and not top.is_symlink() and not top.name.startswith(".")
        if top.name not in {"node_modules", "tests", "static", "locale"}
    ]
    for path in (path for top in tops for path in top.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "LedgerTotal.objects" in text or "INSERT INTO finance_ledgertotal" in text:
            writers.add(path.relative_to(root).as_posix())
    assert writers == {
        "finance/services.py",
        "finance/migrations/0006_ledger_totals_for_the_balance_list.py",
    }


# --- the list's figures are the resident selectors' figures --------------------------------


@pytest.fixture
def mixed_ledger(premises, building, stranger):
    """Arrears, overpayment, corrections, a charge due in the future, a fund on its own
    account (the stranger's community), unassigned money."""
    flats = [premises, PremisesFactory(building=building, number="14")]
    theirs = stranger.ownerships.get().premises
    FundAccount.objects.create(
        community=theirs.building.community, fund="repair", bank_account=REPAIR_ACCOUNT
    )
    add_charge(flats[0], "100.00", D(2026, 1, 10), title="Zaliczka 01")
    add_charge(flats[0], "200.00", D(2026, 4, 10), title="Zaliczka 04")
    add_charge(flats[0], "-30.00", D(2026, 4, 10), title="Korekta 04")
    add_charge(flats[0], "300.00", D(2026, 5, 10), title="Zaliczka 05")  # a Sunday
    add_charge(flats[0], "300.00", D(2026, 6, 10), title="Zaliczka 06")  # not due yet
    add_payment(flats[0], "150.00", D(2026, 2, 1))
    add_charge(flats[1], "300.00", D(2026, 5, 10))
    add_payment(flats[1], "420.00", D(2026, 5, 8))
    add_charge(theirs, "500.00", D(2026, 4, 10), title="Zaliczka 04")
    add_charge(theirs, "150.00", D(2026, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(theirs, "500.00", D(2026, 4, 9), fund=Fund.REPAIR)  # not for operating costs
    add_payment(None, "77.00", D(2026, 5, 8))
    return [*flats, theirs]


@pytest.mark.parametrize(
    "today", [D(2026, 5, 9), D(2026, 5, 10), D(2026, 5, 11), D(2026, 5, 12), D(2026, 7, 20)]
)
def test_list_figures_are_the_resident_selectors_figures(mixed_ledger, today):
    expected = {b.premises.pk: b for b in balances_for_premises(Premises.objects.all(), today)}
    rows = with_arrears(Premises.objects.all(), today, full=True)
    for row in rows:
        balance = expected[row.pk]
        assert Decimal(row.arrears) == balance.arrears, (row, today)
        assert Decimal(row.amount_due) == balance.amount_due, (row, today)
        assert Decimal(row.overpayment) == balance.overpayment, (row, today)
        assert sum(vars(arrears_age(row)).values(), Decimal(0)) == balance.arrears
    owing = set(premises_in_arrears(Premises.objects.all(), today).values_list("pk", flat=True))
    assert owing == {pk for pk, b in expected.items() if b.arrears > 0}
    over = set(
        premises_with_overpayment(Premises.objects.all(), today).values_list("pk", flat=True)
    )
    assert over == {pk for pk, b in expected.items() if b.overpayment > 0}
    assert owing  # the cases are not all trivially zero


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in connection.vendor, reason="row locks: PostgreSQL (SQLite serialises)"
)
def test_two_simultaneous_bookings_for_one_premises_lose_nothing(premises):
    """Both write first, then recount: the later recount waits for the earlier commit."""
    barrier = threading.Barrier(2)
    errors = []

    def book(model, **fields):
        try:
            with transaction.atomic():
                model.objects.bulk_create([model(premises=premises, **fields)])
                barrier.wait(timeout=10)  # both rows written, neither committed
                ledger_totals_refresh(premises_ids=[premises.pk])
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=book,
            args=(Charge,),
            kwargs={
                "category": "management",
                "fund": "operating",
                "title": "Zaliczka",
                "period": D(2026, 5, 1),
                "due_date": D(2026, 5, 10),
                "amount": Decimal("300.00"),
            },
        ),
        threading.Thread(
            target=book,
            args=(Payment,),
            kwargs={"booked_on": D(2026, 5, 8), "amount": Decimal("120.00")},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_totals_right()
    total = LedgerTotal.objects.get(premises=premises)
    assert (total.charges, total.payments) == (Decimal("300.00"), Decimal("120.00"))
