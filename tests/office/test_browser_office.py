"""A board member runs their community's announcements in admin, under the strict CSP."""

import pytest
from django.apps import apps

from office.services import community_role_assign
from premises.models import CommunityRole

from ..factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board_member(community):
    user = UserFactory(username="zarzad", first_name="Jan", last_name="Zarządca")
    community_role_assign(user=user, community=community, role=CommunityRole.Role.BOARD)
    return user


def _csp_violations(page):
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


@pytest.mark.skipif(not apps.is_installed("community"), reason="community app not installed")
def test_board_member_publishes_announcement_and_cannot_open_other_premises(
    live_server, page, board_member, community, premises, stranger
):
    from community.models import Announcement

    violations = _csp_violations(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Login").fill(board_member.username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Ogłoszenia" in page.content() or "ogłoszenia" in page.content().lower()

    page.goto(f"{live_server.url}/admin/community/announcement/add/")
    # The community field is an autocomplete (select2): pick the board's own community.
    page.locator("#id_community").locator("xpath=..").locator(".select2-selection").click()
    page.locator(".select2-results__option", has_text=community.name).click()
    page.get_by_label("Tytuł").fill("Przegląd kominiarski 15 maja")
    page.get_by_label("Treść").fill("Prosimy o udostępnienie lokali w godzinach 8–16.")
    page.get_by_role("button", name="Zapisz", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/community/announcement/")
    assert "Przegląd kominiarski 15 maja" in page.content()

    announcement = Announcement.objects.get(title="Przegląd kominiarski 15 maja")
    assert announcement.community == community
    assert announcement.created_by == board_member

    theirs = stranger.ownerships.get().premises
    response = page.goto(f"{live_server.url}/admin/premises/premises/{theirs.pk}/change/")
    assert response.status in (403, 404)
    response = page.goto(f"{live_server.url}/admin/premises/premises/")
    assert response.status == 403
    assert not violations, violations


def test_office_staff_works_in_admin_without_csp_violations(
    live_server, page, community, premises, resident
):
    staff = UserFactory(username="pracownik", is_staff=True)
    community_role_assign(user=staff, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    violations = _csp_violations(page)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Login").fill(staff.username)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Konta mieszkańców" in page.content()
    page.goto(f"{live_server.url}/admin/premises/premises/{premises.pk}/change/")
    assert page.locator("#id_number").input_value() == premises.number
    page.goto(f"{live_server.url}/admin/accounts/user/")
    assert resident.last_name in page.content()
    assert not violations, violations
