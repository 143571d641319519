"""The office's per-premises balance list in admin, its exports and letters (issue 12)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from finance.models import Charge, FundAccount
from finance.selectors import arrears_age, premises_in_arrears, with_arrears
from office.services import community_role_assign
from premises.models import CommunityRole, Premises
from tests.factories import OwnershipFactory, PremisesFactory, UserFactory, add_charge, add_payment
from tests.pdf import pdf_text
from tests.utils import count_queries

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 5, 20)
URL = "/admin/finance/premisesaccount/"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def staff_client(client, community):
    user = UserFactory(username="ksiegowa", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    client.force_login(user)
    return client


@pytest.fixture
def ledger(premises, resident, neighbour, stranger):
    """Flat 12 owes 100 (Feb), 200 (Apr) and 300 (May, due 10.05, so 10 days late)."""
    add_charge(premises, "100.00", D(2026, 2, 10), title="Zaliczka 02/2026")
    add_charge(premises, "200.00", D(2026, 4, 10), title="Zaliczka 04/2026")
    add_charge(premises, "300.00", D(2026, 5, 10), title="Zaliczka 05/2026")
    add_payment(premises, "50.00", D(2026, 3, 1))
    paid_up = neighbour.ownerships.get().premises
    add_charge(paid_up, "300.00", D(2026, 5, 10))
    add_payment(paid_up, "350.00", D(2026, 5, 8))
    theirs = stranger.ownerships.get().premises
    add_charge(theirs, "999.00", D(2026, 4, 10), title="Obca zaliczka")
    return premises, paid_up, theirs


def _row(html, needle):
    return html.split(needle, 1)[1].split("</tr>", 1)[0]


def test_balance_list_shows_amounts_age_buckets_and_last_payment(staff_client, ledger):
    premises, paid_up, _theirs = ledger
    html = staff_client.get(URL).content.decode()
    row = _row(html, f"{premises} (")
    # 550 owed: 300 (10 days), 200 (40 days), 50 left of February (99 days).
    for amount in ("550,00", "300,00", "200,00", "50,00", "01.03.2026"):
        assert amount in row, amount
    other = _row(html, f"{paid_up} (")
    assert "50,00" in other  # overpayment
    assert "999,00" not in html and "WM Obca" not in html  # another community


def test_balance_list_filters_and_the_dashboard_links_to_it(staff_client, ledger):
    premises, paid_up, _theirs = ledger
    html = staff_client.get(URL, {"zaleglosc": "tak"}).content.decode()
    assert str(premises) in html and str(paid_up) not in html
    html = staff_client.get(URL, {"zaleglosc": "ponad-90"}).content.decode()
    assert str(premises) in html
    html = staff_client.get(URL, {"zaleglosc": "nadplata"}).content.decode()
    assert str(paid_up) in html and f"{premises} (" not in html
    dashboard = staff_client.get("/admin/").content.decode()
    assert f"{URL}?zaleglosc=tak" in dashboard


@pytest.mark.parametrize("extra", [0, 12])
def test_balance_list_query_count_is_constant(staff_client, building, ledger, extra):
    baseline = count_queries(staff_client, URL)
    for number in range(extra):
        flat = PremisesFactory(building=building, number=f"9{number}")
        OwnershipFactory(premises=flat)
        add_charge(flat, "10.00", D(2026, 1, 10))
        add_payment(flat, "5.00", D(2026, 1, 11))
    assert count_queries(staff_client, URL) == baseline


def _action(client, action, ids):
    return client.post(URL, {"action": action, "_selected_action": [str(i) for i in ids]})


def test_csv_and_xlsx_exports_escape_formulas(staff_client, ledger, building):
    premises, _paid_up, _theirs = ledger
    premises.number = "=HYPERLINK(1)"
    premises.save()
    response = _action(staff_client, "export_csv", [premises.pk])
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ";550,00;" in text
    response = _action(staff_client, "export_xlsx", [premises.pk])
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in sheet[2]]
    assert values[2] == "'=HYPERLINK(1)"
    assert Decimal(str(values[4])) == Decimal("550.00")


def test_payment_demand_itemises_the_arrears(staff_client, ledger, resident):
    premises, _paid_up, _theirs = ledger
    response = _action(staff_client, "payment_demands_pdf", [premises.pk])
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).replace("\xa0", " ").split())
    assert "Wezwanie do zapłaty" in text
    assert resident.get_full_name() in text
    assert "Razem zaległość 550,00 zł" in text
    for line in ("02.2026", "04.2026", "05.2026", "11.05.2026"):  # 10.05 is a Sunday
        assert line in text
    assert "50,00 zł" in text  # what is left of February


def test_certificate_only_without_arrears(staff_client, ledger):
    premises, paid_up, _theirs = ledger
    refused = staff_client.post(
        URL,
        {"action": "no_arrears_certificates_pdf", "_selected_action": [premises.pk]},
        follow=True,
    )
    assert "Nie wystawiono zaświadczeń" in refused.content.decode()
    response = _action(staff_client, "no_arrears_certificates_pdf", [paid_up.pk])
    text = " ".join(pdf_text(response.content).replace("\xa0", " ").split())
    assert "Zaświadczenie o niezaleganiu w opłatach" in text
    assert str(paid_up) in text and "Nadpłata: 50,00 zł" in text


@pytest.fixture
def board_client(client, community):
    board = UserFactory(username="zarzad", is_staff=True)
    community_role_assign(user=board, community=community, role=CommunityRole.Role.BOARD)
    client.force_login(board)
    return client


def _csv(response):
    assert response["Content-Type"].startswith("text/csv"), response.status_code
    return response.content.decode("utf-8-sig")


def test_board_member_sees_and_exports_only_their_community(board_client, ledger):
    premises, paid_up, theirs = ledger
    response = board_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "550,00" in _row(html, f"{premises} (") and f"{paid_up} (" in html
    assert "999,00" not in html and "WM Obca" not in html
    # Another community's id in the filter shows nothing of it.
    other = theirs.building.community_id
    html = board_client.get(URL, {"building__community__id__exact": other}).content.decode()
    assert "999,00" not in html and f"{theirs} (" not in html
    # Exports: a forged selection and "select all" hold only the board's own community.
    text = _csv(_action(board_client, "export_csv", [premises.pk, theirs.pk]))
    assert ";550,00;" in text and "999" not in text and "WM Obca" not in text
    everything = board_client.post(
        URL, {"action": "export_csv", "select_across": "1", "_selected_action": [theirs.pk]}
    )
    text = _csv(everything)
    assert ";550,00;" in text and str(paid_up.number) in text and "WM Obca" not in text
    from openpyxl import load_workbook

    response = _action(board_client, "export_xlsx", [premises.pk, theirs.pk])
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2 and rows[1][2] == premises.number


def test_board_member_writes_no_letters_and_changes_no_money(board_client, ledger):
    premises, paid_up, _theirs = ledger
    html = board_client.get(URL).content.decode()
    assert 'value="export_csv"' in html and 'value="export_xlsx"' in html
    assert "payment_demands_pdf" not in html and "no_arrears_certificates_pdf" not in html
    for action, pk in (
        ("payment_demands_pdf", premises.pk),
        ("no_arrears_certificates_pdf", paid_up.pk),
    ):
        response = _action(board_client, action, [pk])
        assert response.get("Content-Type") != "application/pdf", action
    charges = Charge.objects.count()
    for url in (
        "/admin/finance/charge/",
        "/admin/finance/charge/add/",
        "/admin/finance/payment/",
        "/admin/finance/payment/add/",
        "/admin/finance/fundaccount/",
    ):
        assert board_client.get(url).status_code == 403, url
    response = board_client.post(
        "/admin/finance/charge/add/",
        {"premises": premises.pk, "category": "management", "period": "2026-05-01", "amount": "1"},
    )
    assert response.status_code == 403
    assert Charge.objects.count() == charges


def test_office_staff_on_one_board_writes_letters_only_for_their_office(client, ledger, community):
    """Staff of community A who sits on the board of B: B's list, but no letters for B."""
    premises, _paid_up, theirs = ledger
    user = UserFactory(username="oba", is_staff=True)
    community_role_assign(user=user, community=community, role=CommunityRole.Role.OFFICE_STAFF)
    community_role_assign(
        user=user, community=theirs.building.community, role=CommunityRole.Role.BOARD
    )
    client.force_login(user)
    assert f"{theirs} (" in client.get(URL).content.decode()
    refused = client.post(
        URL,
        {"action": "payment_demands_pdf", "_selected_action": [theirs.pk]},
        follow=True,
    )
    assert "Nie wybrano lokali, dla których możesz wystawiać pisma." in refused.content.decode()
    response = _action(client, "payment_demands_pdf", [premises.pk, theirs.pk])
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert str(premises.number) in text and "999" not in text


def test_fund_charge_category_is_not_needed_for_the_list(staff_client, premises, resident):
    add_charge(premises, "10.00", D(2026, 1, 10), category=Charge.Category.WASTE)
    assert "10,00" in _row(staff_client.get(URL).content.decode(), f"{premises} (")


def test_age_buckets_count_whole_days_since_the_due_date(premises):
    # "do 30 dni" holds a charge exactly 30 days late, "31–90 dni" one exactly 90 days late;
    # "ponad 90 dni" (column and filter alike) starts at 91.
    add_charge(premises, "30.00", TODAY - datetime.timedelta(days=30), title="30 dni")
    add_charge(premises, "90.00", TODAY - datetime.timedelta(days=90), title="90 dni")
    row = with_arrears(Premises.objects.filter(pk=premises.pk), TODAY, full=True).get()
    age = arrears_age(row)
    assert (age.up_to_30, age.from_31_to_90, age.over_90) == (
        Decimal("30.00"),
        Decimal("90.00"),
        Decimal("0.00"),
    )
    qs = Premises.objects.filter(pk=premises.pk)
    assert not premises_in_arrears(qs, TODAY, older_than_days=90).exists()
    add_charge(premises, "91.00", TODAY - datetime.timedelta(days=91), title="91 dni")
    row = with_arrears(qs, TODAY, full=True).get()
    assert arrears_age(row).over_90 == Decimal("91.00")
    assert premises_in_arrears(qs, TODAY, older_than_days=90).exists()


def test_payment_demand_calls_on_a_buyer_who_owes_though_the_seller_overpaid(
    staff_client, building
):
    """The seller left 500 zł of overpayment; the buyer has not paid May's 300 zł. The
    premises as a whole is in credit, the buyer in arrears: the demand is the buyer's."""
    flat = PremisesFactory(building=building, number="7")
    seller = UserFactory(first_name="Sprzedający", last_name="Nowicki")
    buyer = UserFactory(first_name="Kupujący", last_name="Zieliński")
    OwnershipFactory(user=seller, premises=flat, valid_to=D(2026, 3, 31))
    OwnershipFactory(user=buyer, premises=flat, valid_from=D(2026, 4, 1))
    add_charge(flat, "100.00", D(2026, 3, 10), title="Zaliczka 03/2026")
    add_payment(flat, "600.00", D(2026, 3, 5))
    add_charge(flat, "300.00", D(2026, 5, 10), title="Zaliczka 05/2026")
    assert not premises_in_arrears(Premises.objects.filter(pk=flat.pk), TODAY).exists()
    response = _action(staff_client, "payment_demands_pdf", [flat.pk])
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).replace("\xa0", " ").split())
    assert "Kupujący Zieliński" in text and "Nowicki" not in text
    assert "Razem zaległość 300,00 zł" in text


def test_a_premises_paid_to_the_grosz_is_not_in_arrears(staff_client, premises, resident):
    """Charges of 0,10 + 0,20 and 1,10 + 2,20 zł paid with 0,30 and 3,30 zł: nothing is owed,
    though on SQLite a sum of such amounts leaves a crumb like 0,000000000000001."""
    add_charge(premises, "0.10", D(2026, 4, 10), title="Woda 04/2026")
    add_charge(premises, "0.20", D(2026, 4, 10), title="Ścieki 04/2026")
    add_charge(premises, "1.10", D(2026, 4, 10), title="Śmieci 04/2026")
    add_charge(premises, "2.20", D(2026, 4, 10), title="Ciepło 04/2026")
    add_payment(premises, "0.30", D(2026, 4, 9))
    add_payment(premises, "3.30", D(2026, 4, 9))
    assert not premises_in_arrears(Premises.objects.all(), TODAY).exists()
    [row] = with_arrears(Premises.objects.filter(pk=premises.pk), TODAY, full=True)
    assert Decimal(row.arrears) == 0 and Decimal(row.amount_due) == 0
    html = staff_client.get(URL, {"zaleglosc": "tak"}).content.decode()
    assert f"{premises} (" not in html
    response = _action(staff_client, "no_arrears_certificates_pdf", [premises.pk])
    assert "Zaświadczenie o niezaleganiu w opłatach" in pdf_text(response.content)


def test_age_buckets_of_a_fund_kept_apart_count_only_that_funds_charges(
    staff_client, premises, resident
):
    """The operating fund owes January's 100 zł (over 90 days late); the repair fund, on its
    own account, is paid up, May included. The 100 zł is over 90 days late, not "do 30 dni"
    because the repair fund has a recent (paid) charge."""
    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    add_charge(premises, "100.00", D(2026, 1, 10), title="Zaliczka 01/2026")
    add_charge(
        premises, "40.00", D(2026, 5, 10), category=Charge.Category.REPAIR_FUND, title="FR 05"
    )
    add_payment(premises, "40.00", D(2026, 5, 8), fund="repair")
    row = with_arrears(Premises.objects.filter(pk=premises.pk), TODAY, full=True).get()
    age = arrears_age(row)
    assert (age.up_to_30, age.from_31_to_90, age.over_90) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("100.00"),
    )
    html = staff_client.get(URL).content.decode()
    cells = _row(html, f"{premises} (")
    assert cells.count("100,00\xa0zł") == 3  # do zapłaty, zaległość, ponad 90 dni
