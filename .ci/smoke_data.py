"""Minimal data for the production smoke test: one community, one resident with a flat.

Run with `manage.py shell < .ci/smoke_data.py`; prints nothing secret (the password is the
smoke test's own)."""

import datetime
from decimal import Decimal

from accounts.models import User
from notifications.services import message_queue
from premises.models import Building, Community, Company, Ownership, Premises

company = Company.objects.create(
    name="Zarządca Smoke", phone="22 100 20 30", email="biuro@example.pl"
)
community = Community.objects.create(
    company=company,
    name="Wspólnota Mieszkaniowa Smoke",
    street="ul. Testowa 1",
    postal_code="00-001",
    city="Warszawa",
    bank_account="61109010140000071219812874",
)
building = Building.objects.create(
    community=community, street="ul. Testowa 1", postal_code="00-001", city="Warszawa"
)
premises = Premises.objects.create(
    building=building,
    number="1",
    area=Decimal("50.00"),
    persons=2,
    share_numerator=1,
    share_denominator=1,
)
user = User.objects.create_user(
    username="10000001",
    password="Smoke-haslo-2026",  # noqa: S106 (the smoke test's throw-away account)
    first_name="Anna",
    last_name="Smoke",
    email="anna@example.pl",
    phone="601200300",
)
Ownership.objects.create(
    user=user, premises=premises, role=Ownership.Role.OWNER, valid_from=datetime.date(2020, 1, 1)
)
# A message to a relay that never answers, queued before the reset mail.
message_queue(channel="email", to_address="blackhole@example.pl", subject="czarna dziura", body="x")
