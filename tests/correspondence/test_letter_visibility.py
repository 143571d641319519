"""Who sees which letter, on the list, the letter page and the start-page panel alike.

``letters_for_user`` reads the user's owner roles first and filters on their periods as
instants (midnight in Warsaw); the panel applies the same rule to its one query's rows.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence.models import LetterOpening
from correspondence.selectors import letters_for_user
from premises.models import Ownership
from tests.factories import OwnershipFactory, UserFactory

from .helpers import make_letter

pytestmark = pytest.mark.django_db


def at(year, month, day, hour=12, minute=0):
    """An instant in Warsaw time (the date a resident sees on the letter)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def shown(client, user, letters):
    """The subjects the user sees among ``letters`` on the list, on each letter's page and on
    the start page's panel; the three must agree."""
    listed = client.get(reverse("correspondence:index")).content.decode()
    home = client.get("/").content.decode()
    on_list = {letter.subject for letter in letters if letter.subject in listed}
    on_pages = {
        letter.subject
        for letter in letters
        if client.get(reverse("correspondence:letter", args=[letter.pk])).status_code == 200
    }
    selected = {letter.subject for letter in letters_for_user(user)}
    assert on_list == on_pages == (selected & {letter.subject for letter in letters})
    newest = max(
        (letter for letter in letters if letter.subject in on_list),
        key=lambda letter: (letter.published_at, letter.pk),
        default=None,
    )
    if newest is not None:
        assert f"{newest.subject}</a>" in home
    return on_list


@pytest.fixture
def owner(client, premises):
    user = UserFactory()
    client.force_login(user)
    return user


def test_letter_published_before_the_owner_bought_stays_hidden(client, premises, owner):
    seller = UserFactory()
    OwnershipFactory(
        user=seller, premises=premises, valid_from=datetime.date(2015, 1, 1),
        valid_to=datetime.date(2021, 2, 28),
    )  # fmt: skip
    OwnershipFactory(user=owner, premises=premises, valid_from=datetime.date(2021, 3, 1))
    co_buyer = UserFactory()
    OwnershipFactory(user=co_buyer, premises=premises, role=Ownership.Role.CO_OWNER,
                     valid_from=datetime.date(2015, 1, 1))  # fmt: skip
    letters = [
        make_letter(premises=premises, recipient=co_buyer, subject="Przed zakupem",
                    published_at=at(2021, 2, 28, 23, 50)),  # the evening before, Warsaw time
        make_letter(premises=premises, recipient=co_buyer, subject="Pierwszego dnia",
                    published_at=at(2021, 3, 1, 0, 10)),  # already the buyer's first day
        make_letter(premises=premises, recipient=seller, subject="Spóźnione do sprzedającego",
                    published_at=at(2021, 3, 1, 0, 10)),  # the seller's own, after the sale
        make_letter(premises=premises, recipient=owner, subject="Do kupującego",
                    published_at=at(2021, 3, 2)),
    ]  # fmt: skip
    assert shown(client, owner, letters) == {"Pierwszego dnia", "Do kupującego"}


def test_seller_sees_no_premises_letters_after_selling_but_keeps_their_own(client, premises, owner):
    buyer = UserFactory()
    co_owner = UserFactory()
    OwnershipFactory(
        user=owner, premises=premises, valid_from=datetime.date(2015, 1, 1),
        valid_to=datetime.date(2021, 2, 28),
    )  # fmt: skip
    OwnershipFactory(
        user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER,
        valid_from=datetime.date(2015, 1, 1),
    )  # fmt: skip
    OwnershipFactory(user=buyer, premises=premises, valid_from=datetime.date(2021, 3, 1))
    letters = [
        make_letter(premises=premises, recipient=owner, subject="Imienne do sprzedającego",
                    published_at=at(2020, 5, 5)),
        make_letter(premises=premises, recipient=co_owner, subject="Do współwłaściciela",
                    published_at=at(2020, 6, 6)),
        make_letter(premises=premises, recipient=buyer, subject="Do kupującego",
                    published_at=at(2021, 4, 4)),
    ]  # fmt: skip
    assert shown(client, owner, letters) == {"Imienne do sprzedającego"}


def test_co_owner_sees_the_premises_letters_from_their_period_with_their_own_unread_mark(
    client, premises, owner
):
    other = UserFactory()
    OwnershipFactory(user=other, premises=premises, valid_from=datetime.date(2015, 1, 1))
    OwnershipFactory(
        user=owner, premises=premises, role=Ownership.Role.CO_OWNER,
        valid_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    letters = [
        make_letter(premises=premises, recipient=other, subject="Sprzed współwłasności",
                    published_at=at(2019, 12, 31, 23, 30)),
        make_letter(premises=premises, recipient=other, subject="Wspólne pismo",
                    published_at=at(2020, 1, 1, 0, 30)),
    ]  # fmt: skip
    LetterOpening.objects.create(letter=letters[1], user=other)
    # Read by the other owner, still unread for this one (before ``shown`` opens it).
    assert "1</span> nieprzeczytane pismo" in client.get("/").content.decode()
    assert shown(client, owner, letters) == {"Wspólne pismo"}


def test_owner_role_periods_with_a_gap_show_letters_of_both_periods_only(client, premises, owner):
    OwnershipFactory(
        user=owner, premises=premises, valid_from=datetime.date(2018, 1, 1),
        valid_to=datetime.date(2019, 12, 31),
    )  # fmt: skip
    OwnershipFactory(
        user=owner, premises=premises, role=Ownership.Role.MEMBER,
        valid_from=datetime.date(2021, 1, 1),
    )  # fmt: skip
    co_owner = UserFactory()
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER,
                     valid_from=datetime.date(2015, 1, 1))  # fmt: skip
    letters = [
        make_letter(premises=premises, recipient=co_owner, subject=subject, published_at=when)
        for subject, when in [
            ("Pierwszy okres", at(2019, 12, 31, 23, 59)),
            ("Przerwa", at(2020, 1, 1, 0, 1)),
            ("Przerwa, koniec", at(2020, 12, 31, 23, 59)),
            ("Drugi okres", at(2021, 1, 1, 0, 1)),
        ]
    ]
    assert shown(client, owner, letters) == {"Pierwszy okres", "Drugi okres"}


def test_tenant_sees_only_letters_addressed_to_them(client, premises, owner):
    landlord = UserFactory()
    OwnershipFactory(user=landlord, premises=premises)
    OwnershipFactory(user=owner, premises=premises, role=Ownership.Role.TENANT)
    letters = [
        make_letter(premises=premises, recipient=landlord, subject="Do właściciela"),
        make_letter(premises=premises, recipient=owner, subject="Do najemcy"),
    ]
    assert shown(client, owner, letters) == {"Do najemcy"}


def test_future_and_unpublished_letters_stay_hidden(client, premises, owner):
    OwnershipFactory(user=owner, premises=premises)
    letters = [
        make_letter(premises=premises, recipient=owner, subject="Opublikowane"),
        make_letter(premises=premises, recipient=owner, subject="Szkic", published_at=None),
        make_letter(
            premises=premises,
            recipient=owner,
            subject="Jutro",
            published_at=timezone.now() + datetime.timedelta(days=1),
        ),
    ]
    assert shown(client, owner, letters) == {"Opublikowane"}


def test_letter_list_reads_a_page_and_its_count_in_one_query(client, premises, owner):
    OwnershipFactory(user=owner, premises=premises)
    for i in range(25):
        make_letter(premises=premises, recipient=owner, subject=f"Pismo nr {i}")
    client.get("/korespondencja/")
    from tests.utils import count_queries

    # the session with its user; the user's owner roles; the page with the count; messages to
    # the office
    assert count_queries(client, "/korespondencja/") == 4
    assert "Strona 1 z 2" in client.get("/korespondencja/").content.decode()
    last = client.get("/korespondencja/?page=last").content.decode()
    assert "Strona 2 z 2" in last and "Pismo nr 0<" in last
    assert client.get("/korespondencja/?page=3").status_code == 404
    assert client.get("/korespondencja/?page=0").status_code == 404
    # A page number whose offset no database integer holds is a page that does not exist
    # (it was an error page: "bigint out of range" on PostgreSQL, an overflow on SQLite).
    for number in ("9223372036854775807", "99999999999999999999999"):
        assert client.get(f"/korespondencja/?page={number}").status_code == 404


def test_letter_list_without_letters_says_so(client, premises, owner):
    OwnershipFactory(user=owner, premises=premises)
    page = client.get("/korespondencja/").content.decode()
    assert "Nie masz jeszcze żadnych pism." in page
    assert client.get("/korespondencja/?page=2").status_code == 404
