"""A sale recorded in admin: the seller's role ends on a day, the buyer's starts the next."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from failures.models import FailureReport
from premises.models import Ownership
from premises.selectors import premises_for_user

from .factories import PASSWORD, OwnershipFactory, UserFactory
from .factories.meters import MeterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def buyer(db):
    return UserFactory(first_name="Beata", last_name="Kupiec")


def _sale_url(premises):
    return f"/admin/premises/premises/{premises.pk}/sprzedaz/"


def _sell(client, premises, buyers, last_day, role="owner"):
    return client.post(
        _sale_url(premises),
        {"last_day": last_day.strftime("%d.%m.%Y"), "buyers": [b.pk for b in buyers], "role": role},
        follow=True,
    )


def test_premises_page_links_to_the_sale_form(admin_client_, premises, resident):
    page = admin_client_.get(f"/admin/premises/premises/{premises.pk}/change/").content.decode()
    assert f'href="{_sale_url(premises)}">Sprzedaż lokalu<' in page
    form = admin_client_.get(_sale_url(premises)).content.decode()
    assert "Ostatni dzień dotychczasowych właścicieli" in form
    assert "Anna Nowak – właściciel" in form


def test_sale_ends_the_seller_the_day_before_the_buyer_starts(
    admin_client_, premises, resident, buyer, today
):
    last_day = today - datetime.timedelta(days=1)
    response = _sell(admin_client_, premises, [buyer], last_day)
    page = response.content.decode()
    assert "Zapisano sprzedaż lokalu" in page
    seller_role = resident.ownerships.get()
    assert seller_role.valid_to == last_day
    buyer_role = buyer.ownerships.get()
    assert (buyer_role.premises, buyer_role.role) == (premises, Ownership.Role.OWNER)
    assert buyer_role.valid_from == today
    assert buyer_role.valid_to is None
    assert list(premises_for_user(resident)) == []
    assert list(premises_for_user(buyer)) == [premises]
    assert LogEntry.objects.filter(object_id=str(premises.pk)).exists()
    assert seller_role.history.count() == 2  # created, then ended: the audit trail


def test_seller_without_premises_still_logs_in_but_no_longer_acts_on_the_flat(
    client, admin_client_, premises, building, resident, buyer, today
):
    meter = MeterFactory(premises=premises)
    _sell(admin_client_, premises, [buyer], today - datetime.timedelta(days=1))
    client.logout()
    response = client.post(
        "/logowanie/", {"login": resident.username, "password": PASSWORD}, follow=True
    )
    assert response.wsgi_request.user == resident
    assert premises.building.address not in client.get("/lokale/").content.decode()
    assert client.get(f"/lokale/{premises.pk}/").status_code == 404
    assert client.get(f"/liczniki/{meter.pk}/").status_code == 404
    reading = client.post(
        f"/liczniki/{meter.pk}/dodaj-odczyt/", {"value": "10", "read_on": today.isoformat()}
    )
    assert reading.status_code == 404
    assert not meter.readings.exists()
    client.post(
        "/awarie/zglos/",
        {
            "place": f"lokal-{premises.pk}",
            "description": "Cieknie kran w kuchni.",
            "contact_phone": "601 200 300",
        },
    )
    assert not FailureReport.objects.exists()
    assert client.get("/profil/").status_code == 200


def test_co_owners_both_end_and_buyer_takes_the_correspondence(
    admin_client_, premises, resident, buyer, today
):
    other = UserFactory()
    OwnershipFactory(user=other, premises=premises, role=Ownership.Role.CO_OWNER)
    Ownership.objects.filter(user=resident).update(
        role=Ownership.Role.CO_OWNER, is_correspondence_recipient=True
    )
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    _sell(admin_client_, premises, [buyer], today)
    assert set(
        Ownership.objects.filter(premises=premises, valid_to=today).values_list("user", flat=True)
    ) == {resident.pk, other.pk}
    assert tenant.ownerships.get().valid_to is None
    assert buyer.ownerships.get().is_correspondence_recipient
    assert buyer.ownerships.get().valid_from == today + datetime.timedelta(days=1)


def test_sale_before_the_seller_held_the_flat_is_refused_and_changes_nothing(
    admin_client_, premises, resident, buyer, today
):
    held_since = resident.ownerships.get().valid_from
    response = _sell(admin_client_, premises, [buyer], held_since - datetime.timedelta(days=1))
    assert "lokal nie ma właściciela, którego prawo można zakończyć" in response.content.decode()
    assert resident.ownerships.get().valid_to is None
    assert not buyer.ownerships.exists()


def test_sale_before_an_already_recorded_buyer_is_refused(
    admin_client_, premises, resident, buyer, today
):
    _sell(admin_client_, premises, [buyer], today)
    response = _sell(admin_client_, premises, [UserFactory()], today - datetime.timedelta(days=1))
    assert "Lokal ma już zapisanego właściciela od" in response.content.decode()
    assert resident.ownerships.get().valid_to == today
    assert Ownership.objects.filter(premises=premises).count() == 2


def test_sale_needs_a_buyer_and_a_day(admin_client_, premises, resident):
    response = admin_client_.post(_sale_url(premises), {"last_day": "31.02.2026", "role": "owner"})
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()
    assert resident.ownerships.get().valid_to is None


def test_board_member_cannot_record_a_sale(board_client, premises, resident, buyer, today):
    response = board_client.post(
        _sale_url(premises),
        {"last_day": today.strftime("%d.%m.%Y"), "buyers": [buyer.pk], "role": "owner"},
    )
    assert response.status_code == 404  # the board sees no premises in admin at all
    assert resident.ownerships.get().valid_to is None


def test_staff_of_another_community_gets_404(staff_client, other_community, stranger, buyer, today):
    foreign = stranger.ownerships.get().premises
    response = staff_client.post(
        _sale_url(foreign),
        {"last_day": today.strftime("%d.%m.%Y"), "buyers": [buyer.pk], "role": "owner"},
    )
    assert response.status_code == 404
    assert stranger.ownerships.get().valid_to is None
    assert staff_client.get("/admin/premises/premises/abc/sprzedaz/").status_code == 404


def test_buyer_added_with_the_premises_beforehand_is_moved_not_doubled(
    admin_client_, premises, resident, buyer, today
):
    """Osoby → Dodaj with this premises gives the buyer a role from today; the sale recorded
    afterwards (the notary act was last week) moves that role to the day after the act."""
    OwnershipFactory(user=buyer, premises=premises, valid_from=today)
    last_day = today - datetime.timedelta(days=5)
    response = _sell(admin_client_, premises, [buyer], last_day)
    assert "Zapisano sprzedaż lokalu" in response.content.decode()
    role = buyer.ownerships.get()
    assert role.valid_from == last_day + datetime.timedelta(days=1)
    assert resident.ownerships.get().valid_to == last_day
