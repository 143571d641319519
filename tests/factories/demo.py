"""The demo data (``seed_demo``) for tests: seeded once per test run, loaded per test.

``tests/conftest.py`` seeds it once (per xdist worker) in a transaction that is rolled back and
keeps the rows, deserialized, in memory; ``load`` writes them into a test's database with one
bulk insert per model, which takes a fraction of the seeding (every app's services, PDFs,
notices) and of ``loaddata`` (two queries per row).
"""

from collections import defaultdict

from django.core import serializers
from django.core.management.color import no_style
from django.db import connection


def snapshot(dump_json: str) -> list:
    return list(serializers.deserialize("json", dump_json))


def load(objects: list) -> None:
    by_model = defaultdict(list)
    for item in objects:
        by_model[type(item.object)].append(item)
    for model, items in by_model.items():
        manager = model._base_manager
        existing = set(
            manager.filter(pk__in=[i.object.pk for i in items]).values_list("pk", flat=True)
        )
        for item in items:
            item.object._state.adding = item.object.pk not in existing
            if not item.object._state.adding:
                item.object.save_base(raw=True)  # a row made by migrate (the role groups)
        manager.bulk_create([i.object for i in items if i.object.pk not in existing])
        links = defaultdict(list)
        for item in items:
            for name, pks in (item.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links[through].extend(
                    through(**{f"{source}_id": item.object.pk, f"{target}_id": pk}) for pk in pks
                )
        for through, rows in links.items():
            through._base_manager.bulk_create(rows, ignore_conflicts=True)
    # Rows came with their ids: PostgreSQL's sequences must move past them.
    statements = connection.ops.sequence_reset_sql(no_style(), list(by_model))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
