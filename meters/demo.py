"""Demo meters: two years of monthly readings, a remote-read heat meter, a replaced meter."""

import datetime
import hashlib
from decimal import Decimal

from django.utils import timezone

from lib.reading_window import period_month

from .models import Meter, Reading

HISTORY_MONTHS = 24
# Heat use per month of the year (share of a yearly total), highest in winter.
HEAT_SEASON = [0.17, 0.15, 0.12, 0.07, 0.03, 0.01, 0.0, 0.0, 0.02, 0.07, 0.12, 0.16]


def _jitter(key: str, low: float, high: float) -> float:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return low + (high - low) * digest / 0xFFFFFFFF


def _months_back(month: datetime.date, back: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _meter(premises, serial, **fields) -> tuple[Meter, bool]:
    return Meter.objects.get_or_create(premises=premises, serial_number=serial, defaults=fields)


def _history(meter, *, monthly, start, people=(), source=None, months=HISTORY_MONTHS, until=None):
    """Readings for past months' windows (never the open one), growing by ``monthly(month)``."""
    if meter.readings.exists():
        return
    today = timezone.localdate()
    community = meter.premises.building.community
    current = period_month(
        today,
        start_day=community.reading_window_start_day,
        end_day=community.reading_window_end_day,
    )
    value = start
    for back in range(months, 0, -1):
        month = _months_back(current, back)
        day = 20 + int(_jitter(f"{meter.serial_number}-{month}-day", 1, 9))
        read_on = month.replace(day=min(day, 28))
        if read_on < meter.installed_on or (until and read_on > until):
            continue
        value += Decimal(str(round(monthly(month), meter.decimal_places)))
        who = people[back % len(people)] if people else None
        Reading.objects.create(
            meter=meter,
            read_on=read_on,
            value=value,
            source=source or (Reading.Source.RESIDENT if who else Reading.Source.OFFICE),
            submitted_by=who,
        )


def seed(ctx):
    """Add this tab's demo data. ``ctx`` holds the demo register (see portal.demo)."""
    anna, piotr = ctx.users["anna"], ctx.users["piotr"]
    flat12, flat7 = ctx.premises["lipowa_12"], ctx.premises["lipowa_7"]
    since = datetime.date(2021, 6, 1)

    cold, _c = _meter(
        flat12,
        "ZW-21-004512",
        kind=Meter.Kind.COLD_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="łazienka",
        installed_on=since,
        initial_reading=Decimal("12.500"),
    )
    _history(
        cold,
        monthly=lambda m: _jitter(f"zw12-{m}", 2.6, 3.9),
        start=Decimal("164.218"),
        people=(anna, piotr, anna),
    )
    kitchen, _c = _meter(
        flat12,
        "ZW-21-004513",
        kind=Meter.Kind.COLD_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="kuchnia",
        installed_on=since,
    )
    _history(
        kitchen,
        monthly=lambda m: _jitter(f"zwk12-{m}", 0.9, 1.6),
        start=Decimal("58.114"),
        people=(anna, piotr),
    )
    hot, _c = _meter(
        flat12,
        "CW-21-007781",
        kind=Meter.Kind.HOT_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="łazienka",
        installed_on=since,
    )
    _history(
        hot,
        monthly=lambda m: _jitter(f"cw12-{m}", 1.4, 2.3),
        start=Decimal("97.650"),
        people=(anna, piotr),
    )
    heat, _c = _meter(
        flat12,
        "CP-2019-33810",
        kind=Meter.Kind.HEAT,
        unit=Meter.Unit.GJ,
        location="przedpokój (szafka)",
        is_remote_read=True,
        installed_on=datetime.date(2019, 9, 1),
    )
    _history(
        heat,
        monthly=lambda m: 9.0 * HEAT_SEASON[m.month - 1] * _jitter(f"cp12-{m}", 0.85, 1.15),
        start=Decimal("41.207"),
        source=Reading.Source.REMOTE,
    )
    garage, _c = _meter(
        ctx.premises["lipowa_g3"],
        "EE-G3-0031",
        kind=Meter.Kind.ELECTRICITY,
        unit=Meter.Unit.KWH,
        location="garaż G3",
        decimal_places=1,
        installed_on=since,
    )
    _history(
        garage,
        monthly=lambda m: _jitter(f"ee-{m}", 8, 25),
        start=Decimal("1204.3"),
        people=(anna,),
        months=12,
    )

    # Marek's flat: the cold-water meter was replaced a year ago (a new series since then).
    marek = ctx.users["marek"]
    replaced_on = _months_back(period_month(timezone.localdate()), 12).replace(day=5)
    old, created = _meter(
        flat7,
        "ZW-15-000871",
        kind=Meter.Kind.COLD_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="łazienka",
        installed_on=datetime.date(2015, 3, 1),
    )
    _history(
        old,
        monthly=lambda m: _jitter(f"zw7-{m}", 2.0, 3.1),
        start=Decimal("612.480"),
        people=(marek,),
        until=replaced_on,
    )
    if old.removed_on is None:
        old.removed_on = replaced_on
        old.save(update_fields=["removed_on"])
    new, _c = _meter(
        flat7,
        "ZW-24-001122",
        kind=Meter.Kind.COLD_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="łazienka",
        installed_on=replaced_on,
        initial_reading=Decimal("0.012"),
        replaces=old,
    )
    _history(
        new,
        monthly=lambda m: _jitter(f"zw7n-{m}", 2.0, 3.1),
        start=Decimal("0.012"),
        people=(marek,),
    )
    hot7, _c = _meter(
        flat7,
        "CW-15-000872",
        kind=Meter.Kind.HOT_WATER,
        unit=Meter.Unit.CUBIC_METRE,
        location="łazienka",
        installed_on=datetime.date(2015, 3, 1),
    )
    _history(
        hot7,
        monthly=lambda m: _jitter(f"cw7-{m}", 1.0, 1.8),
        start=Decimal("301.004"),
        people=(marek,),
    )

    # Zofia's cooperative flat: radio water meters and a gas meter read by the office.
    flat4 = ctx.premises["sloneczna_4"]
    for serial, kind, start in (
        ("APT-ZW-88120", Meter.Kind.COLD_WATER, "233.870"),
        ("APT-CW-88121", Meter.Kind.HOT_WATER, "140.022"),
    ):
        meter, _c = _meter(
            flat4,
            serial,
            kind=kind,
            unit=Meter.Unit.CUBIC_METRE,
            location="łazienka",
            is_remote_read=True,
            installed_on=datetime.date(2020, 1, 1),
        )
        _history(
            meter,
            monthly=lambda m, s=serial: _jitter(f"{s}-{m}", 1.0, 2.2),
            start=Decimal(start),
            source=Reading.Source.REMOTE,
        )
    gas, _c = _meter(
        flat4,
        "G4-2016-5521",
        kind=Meter.Kind.GAS,
        unit=Meter.Unit.CUBIC_METRE,
        location="kuchnia",
        installed_on=datetime.date(2016, 4, 1),
    )
    _history(
        gas,
        monthly=lambda m: _jitter(f"gas-{m}", 4, 9),
        start=Decimal("2210.417"),
        people=(ctx.users["zofia"],),
    )
