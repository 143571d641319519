"""A resident's account starts when they acquire (or take over) the premises.

The seller's charges, payments (with payer names) and arrears are the seller's; the buyer sees
only what is due or booked from their holding start. The office sees the premises as a whole.
"""

import datetime
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from finance.models import FundAccount
from finance.panels import home_panel
from finance.selectors import (
    balances_for_premises,
    balances_for_user,
    charges_for_user,
    payments_for_user,
)
from premises.models import Ownership, Premises
from premises.selectors import holding_starts_for_user
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment
from tests.pdf import pdf_text
from tests.utils import count_queries

pytestmark = pytest.mark.django_db

URL = "/finanse/"
D = datetime.date
SALE = D(2025, 3, 1)


@pytest.fixture
def today(monkeypatch):
    day = D(2025, 5, 9)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


@pytest.fixture
def sold(building):
    """A flat sold on 1 March 2025: the seller left 1 000 zł of arrears behind."""
    flat = PremisesFactory(building=building, number="30")
    seller = UserFactory(first_name="Sprzedający", last_name="Kowalski")
    buyer = UserFactory(first_name="Kupujący", last_name="Wiśniewski")
    OwnershipFactory(user=seller, premises=flat, valid_to=SALE - datetime.timedelta(days=1))
    OwnershipFactory(user=buyer, premises=flat, valid_from=SALE)
    add_charge(flat, "700.00", D(2025, 1, 10), title="Zaliczka sprzedającego 01/2025")
    add_charge(flat, "600.00", D(2025, 2, 10), title="Zaliczka sprzedającego 02/2025")
    add_payment(
        flat,
        "300.00",
        D(2025, 2, 5),
        title="Czynsz luty Kowalski",
        payer_name="Jan Kowalski",
        payer_account="61109010140000071219812874",
    )
    add_charge(flat, "400.00", D(2025, 3, 10), title="Zaliczka 03/2025")
    add_charge(flat, "400.00", D(2025, 4, 10), title="Zaliczka 04/2025")
    add_charge(flat, "400.00", D(2025, 5, 10), title="Zaliczka 05/2025")
    add_payment(flat, "450.00", D(2025, 3, 12), title="Przelew nabywcy", payer_name="Ewa Nowa")
    return flat, seller, buyer


def test_holding_start_of_buyer_is_the_day_of_acquisition(sold, today):
    flat, _seller, buyer = sold
    assert holding_starts_for_user(buyer) == {flat.pk: SALE}


def test_holding_start_extends_through_roles_without_gap(building, today):
    user = UserFactory()
    tenant_then_owner = PremisesFactory(building=building, number="40")
    OwnershipFactory(
        user=user,
        premises=tenant_then_owner,
        role=Ownership.Role.TENANT,
        valid_from=D(2023, 6, 1),
        valid_to=D(2024, 12, 31),
    )
    OwnershipFactory(user=user, premises=tenant_then_owner, valid_from=D(2025, 1, 1))
    after_gap = PremisesFactory(building=building, number="41")
    OwnershipFactory(
        user=user,
        premises=after_gap,
        role=Ownership.Role.TENANT,
        valid_from=D(2020, 1, 1),
        valid_to=D(2021, 12, 31),
    )
    OwnershipFactory(user=user, premises=after_gap, valid_from=D(2024, 2, 1))
    overlapping = PremisesFactory(building=building, number="42")
    OwnershipFactory(
        user=user,
        premises=overlapping,
        role=Ownership.Role.TENANT,
        valid_from=D(2019, 5, 1),
        valid_to=D(2022, 8, 31),
    )
    OwnershipFactory(user=user, premises=overlapping, valid_from=D(2022, 3, 1))
    former = PremisesFactory(building=building, number="43")
    OwnershipFactory(user=user, premises=former, valid_to=D(2024, 12, 31))
    OwnershipFactory(premises=tenant_then_owner)  # someone else's role changes nothing
    assert holding_starts_for_user(user) == {
        tenant_then_owner.pk: D(2023, 6, 1),
        after_gap.pk: D(2024, 2, 1),
        overlapping.pk: D(2019, 5, 1),
    }
    assert holding_starts_for_user(UserFactory()) == {}


def test_holding_starts_take_one_query(building, today, django_assert_num_queries):
    user = UserFactory()
    for number in range(5):
        flat = PremisesFactory(building=building, number=f"5{number}")
        OwnershipFactory(user=user, premises=flat, valid_from=D(2020 + number, 1, 1))
    with django_assert_num_queries(1):
        assert len(holding_starts_for_user(user)) == 5


def test_buyer_sees_neither_sellers_entries_nor_payer_names(client, sold, today):
    flat, _seller, buyer = sold
    client.force_login(buyer)
    response = client.get(URL)
    html = response.content.decode()
    assert "Zaliczka 03/2025" in html and "Przelew nabywcy" in html
    assert "sprzedającego" not in html
    assert "Czynsz luty Kowalski" not in html and "Kowalski" not in html
    assert "Twoje rozliczenie tego lokalu obejmuje naliczenia i wpłaty od 01.03.2025" in html
    # Due: 400 + 400 − 450 = 350,00 zł (not the seller's 1 000 zł of arrears on top).
    selected = response.context["selected"]
    assert selected.amount_due == Decimal("350.00")
    assert selected.balance == Decimal("-750.00")
    assert "350,00\xa0zł" in html and "1\xa0350,00" not in html
    assert [e.title for e in response.context["entries"]] == [
        "Zaliczka 05/2025",
        "Zaliczka 04/2025",
        "Przelew nabywcy",
        "Zaliczka 03/2025",
    ]
    # The running balance starts at 0 on the day of acquisition.
    assert response.context["entries"][-1].balance == Decimal("-400.00")
    summary = response.context["summary"]
    assert summary.opening_balance == Decimal("0.00")
    assert summary.closing_balance == Decimal("-750.00")


def test_buyer_filtering_back_into_sellers_time_gets_nothing_of_it(client, sold, today):
    flat, _seller, buyer = sold
    client.force_login(buyer)
    response = client.get(URL, {"od": "2025-01", "do": "2025-03"})
    assert [e.title for e in response.context["entries"]] == [
        "Przelew nabywcy",
        "Zaliczka 03/2025",
    ]
    assert response.context["summary"].opening_balance == Decimal("0.00")


def test_buyers_statement_pdf_excludes_the_sellers_history(client, sold, today):
    flat, _seller, buyer = sold
    client.force_login(buyer)
    response = client.get(reverse("finance:statement", args=[flat.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Zaliczka 03/2025" in text and "Przelew nabywcy" in text
    assert "sprzedającego" not in text and "Kowalski" not in text
    assert "01.03.2025" in text  # the statement starts on the day of acquisition
    assert "-750,00" in text.replace("\xa0", "") or "−750,00" in text.replace("\xa0", "")
    # An earlier period asked for explicitly still starts at the acquisition.
    early = client.get(reverse("finance:statement", args=[flat.pk]), {"od": "2025-01"})
    assert "sprzedającego" not in pdf_text(early.content)


def test_buyers_home_panel_and_balances_exclude_sellers_arrears(rf, sold, today):
    flat, _seller, buyer = sold
    [balance] = balances_for_user(buyer, today)
    assert (balance.amount_due, balance.since) == (Decimal("350.00"), SALE)
    request = rf.get("/")
    request.user = buyer
    panel = home_panel(request)
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "350,00\xa0zł" in html and "1\xa0350,00" not in html


def test_office_figures_stay_premises_wide(sold, today):
    flat, _seller, _buyer = sold
    [balance] = balances_for_premises(Premises.objects.filter(pk=flat.pk), today)
    # 700 + 600 + 400 + 400 due, 300 + 450 paid.
    assert balance.amount_due == Decimal("1350.00")
    assert balance.since is None


def test_user_scoped_querysets_follow_the_holding_start(sold, today):
    flat, seller, buyer = sold
    assert sorted(c.title for c in charges_for_user(buyer)) == [
        "Zaliczka 03/2025",
        "Zaliczka 04/2025",
        "Zaliczka 05/2025",
    ]
    assert [p.payer_name for p in payments_for_user(buyer)] == ["Ewa Nowa"]
    # The seller no longer holds the flat: nothing of it.
    assert not charges_for_user(seller).exists()
    assert not payments_for_user(seller).exists()


def test_fund_balances_follow_the_holding_start(client, sold, today):
    flat, _seller, buyer = sold
    FundAccount.objects.create(
        community=flat.building.community, fund="repair", bank_account="27114020040000300201355387"
    )
    client.force_login(buyer)
    funds = {f.fund: f for f in client.get(URL).context["selected"].funds}
    assert funds["operating"].amount_due == Decimal("350.00")


def test_co_owner_since_the_start_sees_everything(client, sold, today):
    flat, _seller, _buyer = sold
    co_owner = UserFactory()
    OwnershipFactory(
        user=co_owner, premises=flat, role=Ownership.Role.CO_OWNER, valid_from=D(2020, 1, 1)
    )
    client.force_login(co_owner)
    response = client.get(URL)
    html = response.content.decode()
    assert "Zaliczka sprzedającego 01/2025" in html and "Czynsz luty Kowalski" in html
    assert response.context["selected"].amount_due == Decimal("1350.00")


def test_tenant_then_owner_sees_from_the_tenancy_start(client, building, today):
    flat = PremisesFactory(building=building, number="31")
    user = UserFactory()
    OwnershipFactory(
        user=user,
        premises=flat,
        role=Ownership.Role.TENANT,
        valid_from=D(2024, 6, 1),
        valid_to=D(2025, 1, 31),
    )
    OwnershipFactory(user=user, premises=flat, valid_from=D(2025, 2, 1))
    add_charge(flat, "111.00", D(2024, 5, 10), title="Zaliczka poprzednika")
    add_payment(flat, "99.00", D(2024, 5, 31), title="Wpłata poprzednika")
    add_charge(flat, "222.00", D(2024, 7, 10), title="Zaliczka najemcy")
    add_charge(flat, "333.00", D(2025, 3, 10), title="Zaliczka właściciela")
    client.force_login(user)
    response = client.get(URL)
    html = response.content.decode()
    assert "Zaliczka najemcy" in html and "Zaliczka właściciela" in html
    assert "poprzednika" not in html
    assert response.context["selected"].amount_due == Decimal("555.00")


def test_queries_fixed_for_premises_with_different_holding_starts(client, building, today):
    user = UserFactory()
    first = PremisesFactory(building=building, number="60")
    OwnershipFactory(user=user, premises=first, valid_from=D(2024, 1, 1))
    add_charge(first, "100.00", D(2023, 12, 10))
    add_charge(first, "100.00", D(2024, 1, 10))
    client.force_login(user)
    client.get(URL)  # warms the cached company row, as on every later request
    one_page, one_home = count_queries(client, URL), count_queries(client, "/")
    for number in range(4):
        flat = PremisesFactory(building=building, number=f"6{number + 1}")
        OwnershipFactory(user=user, premises=flat, valid_from=D(2024, number + 2, 1))
        add_charge(flat, "100.00", D(2024, number + 1, 10))  # before this holding start
        add_charge(flat, "100.00", D(2024, number + 2, 10))
        add_payment(flat, "30.00", D(2024, number + 1, 20))  # before, too
    assert count_queries(client, URL) == one_page
    assert count_queries(client, "/") == one_home
    balances = balances_for_user(user, today)
    assert [b.amount_due for b in balances] == [Decimal("100.00")] * 5
