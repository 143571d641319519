"""Voting audit, second round: the register changing under an open vote, proxies, the paper
ballot warning, one owner – one vote, and every owner's own notice of the outcome (rule 8)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from premises import imports
from tests.factories import PremisesFactory, UserFactory


@pytest.fixture
def office_client(db, client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


# --- A share n/0 is refused everywhere ---------------------------------------------------------


def test_share_with_zero_denominator_is_refused_by_the_database(building):
    # 0/0 passed "numerator <= denominator" and then divided by zero in every tally and
    # share sum: the Wspólnota tab and the office's opening screen answered 500.
    with pytest.raises(IntegrityError), transaction.atomic():
        PremisesFactory(building=building, number="99", share_numerator=0, share_denominator=0)


def test_share_with_zero_denominator_is_refused_by_the_form_and_the_import(office_client, building):
    response = office_client.post(
        "/admin/premises/premises/add/",
        {
            "building": building.pk,
            "number": "99",
            "kind": "flat",
            "area": "50",
            "persons": "1",
            "share_numerator": "0",
            "share_denominator": "0",
            "ownerships-TOTAL_FORMS": "0",
            "ownerships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not building.premises.filter(number="99").exists()
    for value in ("0/0", "1/0"):
        with pytest.raises(ValidationError):
            imports.share(value)
