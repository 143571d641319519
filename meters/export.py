"""The meters sections of the personal data export (``data_export`` in the AppConfig).

Only rows tied to the person; a fixed number of queries (see ``accounts/export.py``).
"""

from lib.export import iso_date, iso_datetime
from premises.export import premises_ref

from .models import Reading


def meters_section(user) -> list[dict]:
    """Readings the person submitted, wherever and whenever (1 query)."""
    readings = (
        Reading.objects.filter(submitted_by=user)
        .select_related("meter__premises__building")
        .order_by("read_on", "pk")
    )
    return [
        {
            "premises": premises_ref(r.meter.premises),
            "meter_kind": r.meter.get_kind_display(),
            "meter_serial_number": r.meter.serial_number,
            "read_on": iso_date(r.read_on),
            "value": str(r.value),
            "unit": r.meter.get_unit_display(),
            "submitted_at": iso_datetime(r.created_at),
            "is_current": r.is_current,
            "with_photo": bool(r.photo),
        }
        for r in readings
    ]
