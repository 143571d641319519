import pytest
from django.test import RequestFactory

from failures.models import FailureReport
from failures.panels import home_panel
from failures.services import failure_change_status
from tests.factories import make_report

from ..factories import OwnershipFactory, PremisesFactory, UserFactory

pytestmark = pytest.mark.django_db


def _panel(user):
    request = RequestFactory().get("/")
    request.user = user
    return home_panel(request)


def test_start_page_shows_open_failures_of_my_buildings(
    resident_client, resident, building, neighbour, stranger
):
    office = UserFactory(is_staff=True)
    open_one = make_report(neighbour, building=building, description="Winda stoi.")
    closed = make_report(resident, building=building, description="Brak wody.")
    failure_change_status(
        report=closed, to_status=FailureReport.Status.REJECTED, changed_by=office, notify=False
    )
    make_report(stranger, building=stranger.ownerships.get().premises.building)
    content = resident_client.get("/").content.decode()
    assert "Otwarte zgłoszenia awarii w Twoich budynkach: <strong>1</strong>" in content
    assert open_one.number in content and closed.number not in content
    assert "część wspólna" in content


def test_panel_says_nothing_is_open(resident_client):
    content = resident_client.get("/").content.decode()
    assert "Brak otwartych zgłoszeń awarii w Twoich budynkach." in content
    assert "Zgłoś awarię" in content


def test_no_panel_without_premises():
    assert _panel(UserFactory()) is None


@pytest.mark.parametrize("count", [0, 1, 2, 3, 8])
def test_panel_runs_a_fixed_number_of_queries(
    resident, building, count, django_assert_max_num_queries
):
    for _ in range(count):
        make_report(resident, building=building)
    resident = type(resident).objects.get(pk=resident.pk)
    # the user's premises, which the start page shares with its other parts (their buildings'
    # ids filter the reports; they also tell whether reporting is switched on); the latest
    # open reports with their total (an uncorrelated subquery)
    with django_assert_max_num_queries(2):
        panel = _panel(resident)
    assert panel["open_count"] == count
    assert len(panel["latest"]) == min(count, 3)


def test_panel_counts_open_failures_in_all_my_buildings(
    resident, building, neighbour, other_building_resident, stranger
):
    """A landlord with premises in two buildings: open reports of both count, closed ones and
    other buildings' do not (the filter is on the buildings' ids, issue 17)."""
    office = UserFactory(is_staff=True)
    other_premises = other_building_resident.ownerships.get().premises
    OwnershipFactory(user=resident, premises=PremisesFactory(building=other_premises.building))
    make_report(neighbour, building=building)
    make_report(other_building_resident, building=other_premises.building, premises=other_premises)
    closed = make_report(other_building_resident, building=other_premises.building)
    failure_change_status(
        report=closed, to_status=FailureReport.Status.REJECTED, changed_by=office, notify=False
    )
    make_report(stranger, building=stranger.ownerships.get().premises.building)
    panel = _panel(type(resident).objects.get(pk=resident.pk))
    assert panel["open_count"] == 2
    assert [report.building_id for report in panel["latest"]] == [
        other_premises.building_id,
        building.pk,
    ]


def test_no_panel_without_premises_reads_only_the_premises(django_assert_num_queries):
    # Was 2: the open reports were read before knowing there were no buildings.
    user = UserFactory()
    with django_assert_num_queries(1):
        assert _panel(user) is None


def test_open_reports_index_has_the_open_statuses():
    index = next(i for i in FailureReport._meta.indexes if i.name == "failure_open_building")
    assert index.condition.children == [("status__in", list(FailureReport.OPEN_STATUSES))]
