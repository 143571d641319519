"""Outcome letters sent before they had their own kind become "zawiadomienie o treści
uchwały": each owner has their own copy, which only its addressee reads."""

from django.db import migrations


def mark(apps, schema_editor):
    OutcomeNotice = apps.get_model("community", "OutcomeNotice")
    Letter = apps.get_model("correspondence", "Letter")
    Letter.objects.filter(
        pk__in=OutcomeNotice.objects.values("letter_id"), kind="information"
    ).update(kind="resolution")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_outcome_notice_per_owner"),
        ("correspondence", "0007_letter_kind_resolution_notice"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
