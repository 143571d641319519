"""Record the e-delivery day on outcome notices sent before it was recorded.

The notice date was read from the letter, whose channel changes when it is sent again; it is
now fixed on the notice when it is sent. Notices already e-delivered get their day here.
"""

from django.db import migrations
from django.utils import timezone


def e_delivery_dates(apps, schema_editor):
    OutcomeNotice = apps.get_model("community", "OutcomeNotice")
    notices = OutcomeNotice.objects.filter(
        delivered_on__isnull=True,
        letter__delivery_channel="email",
        letter__published_at__isnull=False,
    ).select_related("letter")
    for notice in notices.iterator(chunk_size=500):
        notice.delivered_on = timezone.localdate(notice.letter.published_at)
        notice.save(update_fields=["delivered_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0005_resolution_withdrawn_status"),
        ("correspondence", "0004_indexes_for_scale"),
    ]

    operations = [
        migrations.RunPython(e_delivery_dates, migrations.RunPython.noop),
    ]
