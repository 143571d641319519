"""Everything tests build rows with, in one package: ``from tests.factories import ...``.

``register``: people, companies, communities, buildings, premises, ownerships; ``finance``,
``meters``, ``community``, ``failures``: each tab's rows; ``demo``: the demo data, loaded per
test from a snapshot seeded once per run (the ``demo`` fixture of ``tests/conftest.py``).
"""

from .community import AnnouncementFactory, ResolutionFactory
from .failures import jpeg_bytes, make_report, read_streamed, upload
from .finance import add_charge, add_payment
from .meters import MeterFactory, ReadingFactory, monthly_readings
from .register import (
    PASSWORD,
    BuildingFactory,
    CommunityFactory,
    CompanyFactory,
    OwnershipFactory,
    PremisesFactory,
    UserFactory,
)

__all__ = [
    "PASSWORD",
    "AnnouncementFactory",
    "BuildingFactory",
    "CommunityFactory",
    "CompanyFactory",
    "MeterFactory",
    "OwnershipFactory",
    "PremisesFactory",
    "ReadingFactory",
    "ResolutionFactory",
    "UserFactory",
    "add_charge",
    "add_payment",
    "jpeg_bytes",
    "make_report",
    "monthly_readings",
    "read_streamed",
    "upload",
]
