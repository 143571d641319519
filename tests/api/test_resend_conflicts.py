"""A resend under an id the integrator used before, with another content, is refused in Polish:
what was booked or sent under that id stays as it was and nothing of the batch is saved."""

import base64

import pytest

from correspondence.models import Letter

from ..factories import OwnershipFactory, UserFactory
from .test_batches import PDF

pytestmark = pytest.mark.django_db


def test_letter_resent_under_its_id_with_another_subject_is_refused(
    api, key_a, community_a, premises_a, premises_a2
):
    OwnershipFactory(user=UserFactory(first_name="Anna", last_name="Nowak"), premises=premises_a)
    OwnershipFactory(user=UserFactory(first_name="Jan", last_name="Lis"), premises=premises_a2)
    url = f"/api/v1/communities/{community_a.pk}/letters/batch/"
    letter = {
        "external_id": "PAP/2026/0042",
        "premises_id": premises_a.pk,
        "kind": "settlement",
        "subject": "Rozliczenie wody za 2025 r.",
        "body": "W załączeniu rozliczenie.",
        "attachments": [
            {"name": "rozliczenie.pdf", "content_base64": base64.b64encode(PDF).decode()}
        ],
    }
    assert api("post", url, key_a, json={"rows": [letter]}).json()["created"] == 1
    message = (
        "Pismo o identyfikatorze „PAP/2026/0042” wysłano już z inną treścią lub do innego "
        "lokalu; wysłanego pisma nie można zmienić – nowe pismo wyślij z nowym identyfikatorem."
    )
    for changed in (
        dict(letter, subject="Rozliczenie ciepła za 2025 r."),
        dict(letter, premises_id=premises_a2.pk),
        dict(letter, body="Proszę o dopłatę."),
    ):
        response = api("post", url, key_a, json={"rows": [changed]})
        assert response.status_code == 400, response.json()
        assert response.json()["errors"] == [
            {"row": 0, "code": "external_id_conflict", "message": message}
        ]
    assert list(Letter.objects.values_list("premises", "subject")) == [
        (premises_a.pk, "Rozliczenie wody za 2025 r.")
    ]
    again = api("post", url, key_a, json={"rows": [letter]})
    assert again.json()["unchanged"] == 1
