"""Comments on failure reports: the board reads and comments, the office handles; residents see
only comments marked for them, signed "Biuro" or "Zarząd wspólnoty"."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from failures.models import FailureComment, FailureReport
from failures.services import failure_comment_add
from office.services import community_role_assign
from premises.models import CommunityRole
from tests.factories import make_report

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/failures/failurereport/"
S = FailureReport.Status


@pytest.fixture
def board(community):
    user = UserFactory(username="zarzad", first_name="Jan", last_name="Prezesowski")
    community_role_assign(user=user, community=community, role=CommunityRole.Role.BOARD)
    user.refresh_from_db()
    return user


@pytest.fixture
def staff(community):
    user = UserFactory(username="pracownik", first_name="Ewa", last_name="Biurowa", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    return user


@pytest.fixture
def report(resident, building):
    return make_report(resident, building=building, description="Nie działa domofon.")


@pytest.fixture
def foreign_report(stranger):
    premises = stranger.ownerships.get().premises
    return make_report(stranger, building=premises.building, description="Obca awaria w piwnicy.")


def change_data(client, report, **extra):
    """The change form as the browser would submit it (inline management forms included)."""
    response = client.get(f"{CHANGELIST}{report.pk}/change/")
    assert response.status_code == 200
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False or bound.name == "repair_photo":
                continue
            data[bound.html_name] = value
    return {**data, **extra}


def test_board_member_comments_on_own_communitys_failure(client, board, report):
    client.force_login(board)
    page = client.get(f"{CHANGELIST}{report.pk}/change/").content.decode()
    assert "Nie działa domofon." in page
    assert 'name="new_status"' not in page and 'name="description"' not in page

    data = change_data(
        client,
        report,
        **{"comments-0-body": "Zarząd zlecił naprawę domofonu.", "new_status": S.ACCEPTED},
    )
    response = client.post(f"{CHANGELIST}{report.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]

    comment = FailureComment.objects.get()
    assert comment.report == report and comment.author == board
    assert comment.author_role == FailureComment.AuthorRole.BOARD
    assert comment.visible_to_residents is False
    report.refresh_from_db()
    assert report.status == S.REPORTED
    assert report.status_changes.count() == 1


def test_board_member_cannot_change_the_report_or_its_status(client, board, report):
    client.force_login(board)
    data = change_data(client, report)
    data.update({"description": "Zmieniony opis", "status": S.DONE, "new_status": S.ACCEPTED})
    client.post(f"{CHANGELIST}{report.pk}/change/", data)
    client.post(CHANGELIST, {"action": "mark_accepted", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert (report.status, report.description) == (S.REPORTED, "Nie działa domofon.")
    assert not FailureComment.objects.exists()


def test_board_member_cannot_edit_or_delete_an_existing_comment(client, board, staff, report):
    failure_comment_add(report=report, author=staff, body="Notatka biura.")
    client.force_login(board)
    data = change_data(client, report)
    comment = FailureComment.objects.get()
    data.update(
        {
            "comments-0-id": comment.pk,
            "comments-0-body": "Przerobiona notatka",
            "comments-0-visible_to_residents": "on",
            "comments-0-DELETE": "on",
        }
    )
    client.post(f"{CHANGELIST}{report.pk}/change/", data)
    comment.refresh_from_db()
    assert (comment.body, comment.visible_to_residents) == ("Notatka biura.", False)


def test_board_member_cannot_see_another_communitys_failure(client, board, foreign_report):
    client.force_login(board)
    url = f"{CHANGELIST}{foreign_report.pk}/change/"
    assert client.get(url).status_code == 404
    response = client.post(url, {"comments-TOTAL_FORMS": 1, "comments-0-body": "x"})
    assert response.status_code in (403, 404)
    assert "Obca awaria" not in client.get(CHANGELIST).content.decode()
    assert not FailureComment.objects.exists()


def test_staff_adds_a_public_comment_signed_office(client, staff, report):
    client.force_login(staff)
    data = change_data(
        client,
        report,
        **{
            "comments-0-body": "Serwis domofonów przyjedzie w piątek.",
            "comments-0-visible_to_residents": "on",
        },
    )
    response = client.post(f"{CHANGELIST}{report.pk}/change/", data)
    assert response.status_code == 302
    comment = FailureComment.objects.get()
    assert (comment.author_role, comment.visible_to_residents) == ("biuro", True)


def test_resident_sees_public_comments_without_author_and_not_internal_ones(
    resident_client, board, staff, report
):
    failure_comment_add(
        report=report,
        author=board,
        body="Zarząd zatwierdził wymianę.",
        visible_to_residents=True,
        by_board=True,
    )
    failure_comment_add(
        report=report, author=staff, body="Serwis w piątek.", visible_to_residents=True
    )
    failure_comment_add(report=report, author=staff, body="Wewnętrzne: drogi serwis.")

    content = resident_client.get(f"/awarie/{report.pk}/").content.decode()
    comments = content[content.index("Komentarze") :]
    assert "Zarząd zatwierdził wymianę." in comments and "Zarząd wspólnoty" in comments
    assert "Serwis w piątek." in comments and "Biuro" in comments
    assert "drogi serwis" not in content
    for name in ("Prezesowski", "Biurowa", "zarzad", "pracownik"):
        assert name not in content


def test_neighbour_sees_public_comment_and_stranger_gets_404(
    client, neighbour, stranger, staff, report
):
    failure_comment_add(report=report, author=staff, body="Naprawione.", visible_to_residents=True)
    client.force_login(neighbour)
    assert "Naprawione." in client.get(f"/awarie/{report.pk}/").content.decode()
    client.force_login(stranger)
    assert client.get(f"/awarie/{report.pk}/").status_code == 404


def test_report_page_query_count_does_not_grow_with_comments(resident_client, staff, report):
    resident_client.get(
        f"/awarie/{report.pk}/"
    )  # warms the cached company row, as every later request finds it
    with CaptureQueriesContext(connection) as before:
        resident_client.get(f"/awarie/{report.pk}/")
    for i in range(4):
        failure_comment_add(
            report=report, author=staff, body=f"Komentarz {i}", visible_to_residents=True
        )
    with CaptureQueriesContext(connection) as after:
        resident_client.get(f"/awarie/{report.pk}/")
    assert len(before) == len(after)


def test_empty_comment_is_refused(staff, report):
    with pytest.raises(ValidationError):
        failure_comment_add(report=report, author=staff, body="   ")
    assert not FailureComment.objects.exists()


def test_speaks_for_board_only_for_a_board_member_of_that_community(board, staff, report):
    from office.roles import speaks_for_board

    community_id = report.building.community_id
    assert speaks_for_board(board, community_id)
    assert not speaks_for_board(board, community_id + 1000)
    assert not speaks_for_board(staff, community_id)
