import pytest

from accounts.models import ResignationRequest
from accounts.services import resignation_request
from office.roles import roles_sync_user
from premises.models import CommunityRole

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/profil/rezygnacja/"
ADMIN = "/admin/accounts/resignationrequest/"


@pytest.fixture
def office(client):
    client.force_login(UserFactory(username="biuro", is_staff=True, is_superuser=True))
    return client


def test_profile_links_to_the_resignation_form(resident_client):
    response = resident_client.get("/profil/")
    assert "Rezygnacja ze Strefy Klienta" in response.text
    assert URL in response.text


def test_resignation_creates_a_request_and_account_keeps_working(resident_client, resident):
    response = resident_client.post(URL, {"confirm": "on", "reason": "Wolę papier."}, follow=True)
    assert "Wniosek przyjęty; biuro dezaktywuje konto" in response.text
    request = ResignationRequest.objects.get()
    assert request.user == resident
    assert request.reason == "Wolę papier."
    assert request.handled_at is None
    resident.refresh_from_db()
    assert resident.is_active
    assert "czeka na biuro" in resident_client.get("/profil/").text


def test_resignation_needs_the_confirmation(resident_client):
    response = resident_client.post(URL, {"reason": "Bez zaznaczenia"})
    assert response.status_code == 200
    assert "Zaznacz, że chcesz zrezygnować ze Strefy Klienta." in response.text
    assert not ResignationRequest.objects.exists()


def test_second_request_while_one_is_open_is_refused(resident_client, resident):
    resident_client.post(URL, {"confirm": "on"})
    page = resident_client.get(URL)
    assert "czeka na biuro" in page.text
    assert 'name="confirm"' not in page.text
    response = resident_client.post(URL, {"confirm": "on", "reason": "Jeszcze raz"}, follow=True)
    assert "Twój wniosek o rezygnację już czeka na biuro." in response.text
    assert ResignationRequest.objects.count() == 1


def test_anonymous_user_is_sent_to_login(client):
    response = client.post(URL, {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/logowanie/")
    assert not ResignationRequest.objects.exists()


def test_office_lists_open_requests_and_filters_them(office, resident, neighbour):
    resignation_request(user=resident, reason="Przeprowadzka")
    done = resignation_request(user=neighbour)
    office.post(
        ADMIN, {"action": "deactivate_and_handle", "_selected_action": [done.pk]}, follow=True
    )
    listing = office.get(ADMIN, {"stan": "otwarte"}).text
    assert "Przeprowadzka" in listing
    assert "Sąsiad" not in listing
    assert "Sąsiad" in office.get(ADMIN, {"stan": "zalatwione"}).text


def test_admin_action_deactivates_and_marks_handled(office, resident):
    request = resignation_request(user=resident)
    response = office.post(
        ADMIN, {"action": "deactivate_and_handle", "_selected_action": [request.pk]}, follow=True
    )
    assert "Dezaktywowano 1 konto" in response.text
    request.refresh_from_db()
    resident.refresh_from_db()
    assert request.handled_at is not None
    assert request.handled_by.username == "biuro"
    assert not resident.is_active
    assert resident.deactivated_at is not None
    assert resident.deactivation_reason == "Rezygnacja ze Strefy Klienta"
    # Handled: the person may file a new request once their account is active again.
    assert not ResignationRequest.objects.open().exists()


def test_office_cannot_add_a_second_open_request_by_hand(office, resident):
    resignation_request(user=resident)
    response = office.post(f"{ADMIN}add/", {"user": resident.pk, "reason": "Telefonicznie"})
    assert response.status_code == 200
    assert ResignationRequest.objects.count() == 1


def test_resident_cannot_see_the_admin(resident_client, resident):
    resignation_request(user=resident)
    response = resident_client.get(ADMIN)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_of_another_community_does_not_see_the_request(client, resident, stranger):
    resignation_request(user=resident, reason="Mój powód")
    resignation_request(user=stranger, reason="Obcy powód")
    staff = UserFactory(is_staff=True)
    other = stranger.ownerships.get().premises.building.community
    CommunityRole.objects.create(user=staff, community=other, role=CommunityRole.Role.OFFICE_STAFF)
    roles_sync_user(user=staff)
    client.force_login(staff)
    listing = client.get(ADMIN).text
    assert "Obcy powód" in listing
    assert "Mój powód" not in listing


def test_staff_do_not_handle_an_office_colleagues_request(staff_client, building, other_community):
    """Deactivating an account is the office administrator's for office people: staff of the
    community where a colleague owns a flat neither see nor handle the colleague's request."""
    from tests.factories import OwnershipFactory, PremisesFactory

    colleague = UserFactory(is_staff=True)
    CommunityRole.objects.create(
        user=colleague, community=other_community, role=CommunityRole.Role.OFFICE_STAFF
    )
    OwnershipFactory(user=colleague, premises=PremisesFactory(building=building))
    request = resignation_request(user=colleague, reason="Powód koleżanki")
    assert "Powód koleżanki" not in staff_client.get(ADMIN).text
    staff_client.post(ADMIN, {"action": "deactivate_and_handle", "_selected_action": [request.pk]})
    colleague.refresh_from_db()
    request.refresh_from_db()
    assert colleague.is_active and request.handled_at is None
