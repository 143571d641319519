"""An owner reads the premises' letters to its owners, never one addressed to somebody else
who is no owner then: the seller after the sale (their final settlement or payment demand,
rule 2: a buyer never sees the seller's debt) or the tenant."""

import datetime

import pytest
from django.utils import timezone

from correspondence.models import Letter
from premises.models import Ownership
from tests.factories import OwnershipFactory, UserFactory

from ..correspondence.helpers import PDF_BYTES, make_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(resident, premises):
    """The resident sold the premises ten days ago; the buyer has owned it since."""
    today = timezone.localdate()
    Ownership.objects.filter(user=resident, premises=premises).update(
        valid_to=today - datetime.timedelta(days=10)
    )
    buyer = UserFactory(first_name="Zofia", last_name="Kupiec")
    OwnershipFactory(user=buyer, premises=premises, valid_from=today - datetime.timedelta(days=9))
    return buyer


def test_buyer_never_reads_the_sellers_settlement_sent_after_the_sale(
    client, resident, premises, sold
):
    settlement = make_letter(
        premises=premises,
        recipient=resident,
        kind=Letter.Kind.PAYMENT_DEMAND,
        subject="Wezwanie do zapłaty zaległości 1234,56 zł",
        attachment=("wezwanie.pdf", PDF_BYTES),
    )
    attachment = settlement.attachments.get()
    client.force_login(sold)
    page = client.get("/korespondencja/").content.decode()
    assert "Wezwanie do zapłaty zaległości" not in page
    assert "Wezwanie do zapłaty zaległości" not in client.get("/").content.decode()
    assert client.get(f"/korespondencja/pisma/{settlement.pk}/").status_code == 404
    url = f"/korespondencja/pisma/{settlement.pk}/zalaczniki/{attachment.pk}/"
    assert client.get(url).status_code == 404


def test_seller_keeps_reading_the_letter_addressed_to_them(client, resident, premises, sold):
    settlement = make_letter(premises=premises, recipient=resident, subject="Rozliczenie końcowe")
    client.force_login(resident)
    assert "Rozliczenie końcowe" in client.get("/korespondencja/").content.decode()
    page = client.get(f"/korespondencja/pisma/{settlement.pk}/").content.decode()
    assert "Treść pisma." in page


def test_buyer_still_reads_the_letters_to_a_co_owner(client, premises, sold):
    co_owner = UserFactory()
    OwnershipFactory(
        user=co_owner,
        premises=premises,
        role=Ownership.Role.CO_OWNER,
        valid_from=timezone.localdate() - datetime.timedelta(days=9),
    )
    letter = make_letter(premises=premises, recipient=co_owner, subject="Do współwłaściciela")
    client.force_login(sold)
    assert "Do współwłaściciela" in client.get("/korespondencja/").content.decode()
    assert client.get(f"/korespondencja/pisma/{letter.pk}/").status_code == 200


def test_owner_does_not_read_a_letter_addressed_to_the_tenant(client, resident, premises):
    tenant = UserFactory(first_name="Piotr", last_name="Najemca")
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    letter = make_letter(premises=premises, recipient=tenant, subject="Pismo do najemcy")
    client.force_login(resident)
    assert "Pismo do najemcy" not in client.get("/korespondencja/").content.decode()
    assert client.get(f"/korespondencja/pisma/{letter.pk}/").status_code == 404
    client.force_login(tenant)
    assert "Pismo do najemcy" in client.get("/korespondencja/").content.decode()
