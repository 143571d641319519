"""The office dashboard on the admin start page: scoped numbers, fixed number of queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from ..factories import OwnershipFactory, PremisesFactory, UserFactory
from ..utils import count_queries

pytestmark = pytest.mark.django_db


def _value(content, label):
    match = re.search(
        rf">{re.escape(label)}(?:</a>)?</th>\s*<td class=\"office-value\">([^<]+)<", content
    )
    assert match, f"{label!r} not on the dashboard"
    return match.group(1).strip()


def _people(building, n, prefix="d", **kwargs):
    for i in range(n):
        OwnershipFactory(
            user=UserFactory(is_active=False, **kwargs),
            premises=PremisesFactory(building=building, number=f"{prefix}{i}"),
        )


def test_dashboard_counts_accounts_of_staff_communities_only(
    staff_client, resident, building, stranger
):
    resident.login_issued_at = timezone.now()
    resident.save()
    _people(building, 2)  # no login yet
    stranger.login_issued_at = timezone.now()
    stranger.save()  # another community: not counted

    content = staff_client.get("/admin/").content.decode()
    assert "Konta mieszkańców" in content
    assert _value(content, "osoby z lokalami") == "3"
    assert _value(content, "wydane loginy") == "1"
    assert _value(content, "aktywne konta") == "1"
    assert _value(content, "login niewydany") == "2"


@pytest.mark.skipif(not apps.is_installed("failures"), reason="failures app not installed")
def test_dashboard_shows_open_failures_by_age(staff_client, resident, premises, stranger):
    from failures.models import FailureReport

    now = timezone.now()
    for n, days in enumerate([1, 10, 40, 45]):
        FailureReport.objects.create(
            number=f"A/{n}",
            building=premises.building,
            reporter=resident,
            description="Cieknie kran",
            contact_phone="601200300",
            created_at=now - datetime.timedelta(days=days),
        )
    theirs = stranger.ownerships.get().premises
    FailureReport.objects.create(
        number="B/1",
        building=theirs.building,
        reporter=stranger,
        description="Obca awaria",
        contact_phone="601200300",
    )
    content = staff_client.get("/admin/").content.decode()
    assert _value(content, "do 7 dni") == "1"
    assert _value(content, "8–30 dni") == "1"
    assert _value(content, "ponad 30 dni") == "2"


@pytest.mark.skipif(not apps.is_installed("finance"), reason="finance app not installed")
def test_dashboard_counts_premises_in_arrears(staff_client, premises, building):
    from finance.models import Charge, Payment

    today = timezone.localdate()
    paid_up = PremisesFactory(building=building, number="50")
    for p in (premises, paid_up):
        Charge.objects.create(
            premises=p,
            category=Charge.Category.choices[0][0],
            title="Zaliczka",
            period=today.replace(day=1),
            # Ten days back: past its deadline even if that fell on a weekend or holiday.
            due_date=today - datetime.timedelta(days=10),
            amount=Decimal("300.00"),
        )
    Payment.objects.create(premises=paid_up, booked_on=today, amount=Decimal("300.00"))
    content = staff_client.get("/admin/").content.decode()
    assert _value(content, "lokale z zaległością") == "1"


def test_board_member_dashboard_hides_what_they_may_not_see(board_client):
    content = board_client.get("/admin/").content.decode()
    assert "Konta mieszkańców" not in content
    assert "Zaległości" not in content


@pytest.mark.parametrize("people", [1, 15])
def test_dashboard_runs_a_fixed_number_of_queries(staff_client, building, people):
    _people(building, people)
    queries = count_queries(staff_client, "/admin/")
    # session + user, roles, admin-group check, one per dashboard section, the app list
    assert queries <= 14, queries


def test_dashboard_query_count_does_not_grow(staff_client, building):
    _people(building, 1)
    few = count_queries(staff_client, "/admin/")
    _people(building, 20, prefix="e")
    assert count_queries(staff_client, "/admin/") == few
