import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from premises.models import Ownership
from premises.selectors import premises_for_user

from .factories import OwnershipFactory, PremisesFactory, UserFactory
from .utils import count_queries

pytestmark = pytest.mark.django_db


def test_lokale_shows_premises_role_and_co_owners(client, resident, premises):
    co_owner = UserFactory(first_name="Piotr", last_name="Nowak")
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER)
    client.force_login(resident)
    content = client.get("/lokale/").content.decode()
    assert premises.building.address in content
    assert "54,30" not in content and "50,00 m²" in content
    assert "5000/100000" in content
    assert "właściciel" in content
    assert "Piotr Nowak (współwłaściciel)" in content
    assert co_owner.email not in content and co_owner.phone not in content


def test_lokale_hides_premises_of_others_and_past_roles(
    client, resident, neighbour, stranger, building
):
    sold = PremisesFactory(building=building, number="77")
    OwnershipFactory(
        user=resident,
        premises=sold,
        valid_from=datetime.date(2010, 1, 1),
        valid_to=datetime.date(2015, 1, 1),
    )
    client.force_login(resident)
    content = client.get("/lokale/").content.decode()
    assert "lokal 12" in content
    assert "lokal 14" not in content and "lokal 99" not in content and "lokal 77" not in content


def test_future_role_does_not_count_yet(resident, building):
    future = PremisesFactory(building=building)
    OwnershipFactory(user=resident, premises=future, valid_from=datetime.date(2999, 1, 1))
    assert future not in premises_for_user(resident)


def test_another_residents_premises_answers_404(client, resident, stranger, neighbour):
    client.force_login(resident)
    for other in (stranger, neighbour):
        other_premises = premises_for_user(other).get()
        assert client.get(f"/lokale/{other_premises.pk}/").status_code == 404
    own = premises_for_user(resident).get()
    assert "lokal 12" in client.get(f"/lokale/{own.pk}/").content.decode()


def test_empty_state_without_premises(client):
    user = UserFactory()
    client.force_login(user)
    assert "nie jest obecnie przypisany żaden lokal" in client.get("/lokale/").content.decode()


@pytest.mark.parametrize("count", [1, 15])
def test_lokale_and_start_page_query_count_is_bounded(
    client, django_assert_max_num_queries, building, count
):
    user = UserFactory()
    for _ in range(count):
        premises = PremisesFactory(building=building)
        OwnershipFactory(user=user, premises=premises)
        OwnershipFactory(premises=premises, role=Ownership.Role.CO_OWNER)
    client.force_login(user)
    # session, user, count for pagination, premises page, holders prefetch, company
    with django_assert_max_num_queries(7):
        response = client.get("/lokale/")
    assert response.content.decode().count('class="card"') == count


def test_start_page_query_count_does_not_grow_with_premises(client, building):
    user = UserFactory()
    OwnershipFactory(user=user, premises=PremisesFactory(building=building))
    client.force_login(user)
    client.get("/")  # warms the cached company row, as every later request finds it
    baseline = count_queries(client, "/")
    for _ in range(10):
        OwnershipFactory(user=user, premises=PremisesFactory(building=building))
    assert count_queries(client, "/") == baseline


def test_sole_owner_sees_no_other_people(client, resident):
    client.force_login(resident)
    content = client.get("/lokale/").content.decode()
    assert "Pozostałe osoby</dt><dd>brak</dd>" in content.replace("\n", "").replace("    ", "")


# --- The request's premises list shared by the scope (issue 17) ---------------------------


def test_scope_filters_on_the_list_a_resident_view_already_read(resident, premises, neighbour):
    from premises.selectors import (
        communities_for_user,
        held_premises_for_user,
        remember_scope,
    )

    remember_scope(resident)
    assert "premises_ownership" in str(premises_for_user(resident).query)  # nothing read yet
    assert held_premises_for_user(resident) == [premises]
    with CaptureQueriesContext(connection) as queries:
        scoped = premises_for_user(resident)
        sql = str(scoped.query)
    assert len(queries.captured_queries) == 0
    assert "premises_ownership" not in sql  # the ids read, not the ownership subquery again
    assert list(scoped) == [premises]
    assert list(communities_for_user(resident)) == [premises.building.community]
    # Another user (no list of their own) still gets their own scope, as a subquery.
    assert "premises_ownership" in str(premises_for_user(neighbour).query)
    assert premises not in premises_for_user(neighbour)


def test_scope_filters_on_the_premises_the_roles_read_name(building):
    """Once a request has read the user's roles (holding starts), the scope filters on their
    premises ids: the same premises as the ownership subquery, for a current owner, a tenant, a
    seller, a buyer from tomorrow and a co-owner who left (issue 17: the meter page)."""
    from django.utils import timezone

    from premises.models import Premises
    from premises.selectors import held_roles_for_user, remember_scope

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    user = UserFactory()
    owned, rented, sold, bought, left = (PremisesFactory(building=building) for _ in range(5))
    OwnershipFactory(user=user, premises=owned, valid_from=today - 400 * day)
    OwnershipFactory(user=user, premises=rented, role="tenant", valid_from=today)
    OwnershipFactory(user=user, premises=sold, valid_from=today - 400 * day, valid_to=today - day)
    OwnershipFactory(user=user, premises=bought, valid_from=today + day)
    OwnershipFactory(
        user=user,
        premises=left,
        role="co_owner",
        valid_from=today - 9 * day,
        valid_to=today - 2 * day,
    )
    expected = set(Premises.objects.held_by(user))
    assert expected == {owned, rented}

    remember_scope(user)
    held_roles_for_user(user)
    with CaptureQueriesContext(connection) as queries:
        sql = str(premises_for_user(user).query)
    assert len(queries.captured_queries) == 0 and "premises_ownership" not in sql
    assert set(premises_for_user(user)) == expected


def test_scope_list_is_not_kept_into_the_next_day(resident, premises, monkeypatch):
    from django.utils import timezone

    from premises.selectors import held_premises_for_user, remember_scope

    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 3, 10))
    remember_scope(resident)
    assert held_premises_for_user(resident) == [premises]
    Ownership.objects.filter(user=resident).update(valid_to=datetime.date(2026, 3, 10))
    assert held_premises_for_user(resident) == [premises]  # the same request, the same day
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 3, 11))
    assert list(premises_for_user(resident)) == []
    assert held_premises_for_user(resident) == []


def test_scope_list_is_never_kept_without_a_resident_view(resident, premises):
    from premises.selectors import held_premises_for_user

    assert held_premises_for_user(resident) == [premises]
    Ownership.objects.filter(user=resident).delete()
    assert held_premises_for_user(resident) == []
