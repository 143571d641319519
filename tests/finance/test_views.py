import datetime
import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from finance.models import Charge, FundAccount, Payment
from finance.panels import home_panel
from tests.factories import OwnershipFactory, PremisesFactory, add_charge, add_payment
from tests.pdf import pdf_text
from tests.utils import count_queries

pytestmark = pytest.mark.django_db

URL = "/finanse/"


@pytest.fixture
def today(monkeypatch):
    day = datetime.date(2025, 5, 9)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


def test_page_shows_amount_due_account_and_history(resident_client, premises, today):
    premises.bank_account = "34109010140000071219812875"
    premises.save()
    add_charge(premises, "1234.56", datetime.date(2025, 4, 10), title="Zaliczka 04/2025")
    add_charge(premises, "350.00", datetime.date(2025, 5, 10), title="Zaliczka 05/2025")
    add_payment(premises, "200.00", datetime.date(2025, 4, 20), title="Przelew kwiecień")
    html = resident_client.get(URL).content.decode()
    assert "Kwota do zapłaty" in html
    assert "1\xa0034,56\xa0zł" in html  # 1234.56 - 200.00, the May advance not yet due
    assert "-1\xa0384,56\xa0zł" in html  # balance incl. not yet due
    assert "34 1090 1014 0000 0712 1981 2875" in html
    assert "Zaliczka 05/2025" in html and "Przelew kwiecień" in html
    assert "data:image/svg+xml" in html  # the QR code
    assert "Stan na dzień" in html


def test_on_the_tenth_the_advance_is_due_on_the_page(resident_client, premises, monkeypatch):
    add_charge(premises, "350.00", datetime.date(2025, 6, 10))  # a Tuesday
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2025, 6, 10))
    html = resident_client.get(URL).content.decode()
    assert 'Kwota do zapłaty: <span class="amount amount--due">350,00\xa0zł' in html


def test_overpayment_is_shown_instead_of_amount_due(resident_client, premises, today):
    add_payment(premises, "500.00", datetime.date(2025, 5, 2))
    add_charge(premises, "350.00", datetime.date(2025, 5, 10))
    html = resident_client.get(URL).content.decode()
    assert "Nadpłata" in html and "500,00\xa0zł" in html
    assert "Kwota do zapłaty: <span" not in html


def test_history_filtered_by_period(resident_client, premises, today):
    add_charge(premises, "100.00", datetime.date(2025, 1, 10), title="Styczniowa zaliczka")
    add_charge(premises, "100.00", datetime.date(2025, 3, 10), title="Marcowa zaliczka")
    html = resident_client.get(URL, {"od": "2025-03", "do": "2025-03"}).content.decode()
    assert "Marcowa zaliczka" in html
    assert "Styczniowa zaliczka" not in html
    assert "-100,00\xa0zł" in html  # opening balance of March


def test_period_filter_errors_in_polish(resident_client, premises, today):
    response = resident_client.get(URL, {"od": "2025-05", "do": "2025-01"})
    assert "Początek okresu nie może być późniejszy niż koniec." in response.content.decode()
    response = resident_client.get(URL, {"od": "maj"})
    assert "Podaj miesiąc w postaci RRRR-MM" in response.content.decode()


def test_history_is_paginated(resident_client, premises, today):
    for i in range(30):
        add_payment(premises, "1.00", datetime.date(2024, 1, 1) + datetime.timedelta(days=i))
    html = resident_client.get(URL).content.decode()
    assert "Strona 1 z 2" in html
    html = resident_client.get(URL, {"page": 2, "lokal": premises.pk}).content.decode()
    assert "Strona 2 z 2" in html


def test_no_premises_shows_empty_state(client, today):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get(URL).content.decode()
    assert "nie jest obecnie przypisany żaden lokal" in html


def test_login_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/logowanie/" in response["Location"]


def test_other_residents_ledger_is_404(resident_client, neighbour, stranger, today):
    for other in (neighbour, stranger):
        premises = other.ownerships.get().premises
        add_charge(premises, "999.99", datetime.date(2025, 4, 10), title="Cudza zaliczka")
        response = resident_client.get(URL, {"lokal": premises.pk})
        assert response.status_code == 404
        response = resident_client.get(reverse("finance:statement", args=[premises.pk]))
        assert response.status_code == 404
    assert "Cudza zaliczka" not in resident_client.get(URL).content.decode()


def test_statement_pdf_totals_equal_page(resident_client, premises, today):
    add_charge(premises, "300.00", datetime.date(2025, 1, 10), title="Zaliczka 01/2025")
    add_charge(premises, "300.00", datetime.date(2025, 2, 10), title="Zaliczka 02/2025")
    add_payment(premises, "250.55", datetime.date(2025, 2, 15), title="Wpłata luty")
    add_charge(premises, "300.00", datetime.date(2025, 3, 10), title="Zaliczka 03/2025")
    params = {"od": "2025-02", "do": "2025-02"}
    page = resident_client.get(URL, params)
    summary = page.context["summary"]
    assert (summary.opening_balance, summary.charges, summary.payments) == (
        Decimal("-300.00"),
        Decimal("300.00"),
        Decimal("250.55"),
    )
    assert page.context["statement_url"].endswith("?od=2025-02&do=2025-02")
    response = resident_client.get(page.context["statement_url"])
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Wyciąg z konta lokalu" in text
    for amount in ("-300,00 zł", "300,00 zł", "250,55 zł", "-349,45 zł"):
        assert amount in text.replace("\xa0", " ")
    assert "Wpłata luty" in text and "Zaliczka 02/2025" in text
    assert "Zaliczka 03/2025" not in text and "Zaliczka 01/2025" not in text
    html = page.content.decode()
    assert "-349,45\xa0zł" in html  # closing balance on the page


def test_statement_with_bad_period_goes_back_with_error(resident_client, premises, today):
    url = reverse("finance:statement", args=[premises.pk])
    response = resident_client.get(url, {"od": "2025-05", "do": "2025-01"}, follow=True)
    assert "Początek okresu nie może być późniejszy niż koniec." in response.content.decode()


def test_amount_over_qr_limit_explains_why(resident_client, premises, today):
    add_charge(premises, "10000.00", datetime.date(2025, 4, 10))
    html = resident_client.get(URL).content.decode()
    assert "data:image/svg+xml" not in html
    assert "Kod QR nie obejmuje kwot od 10 000,00 zł" in html


def test_separate_repair_fund_is_shown_apart(resident_client, premises, today):
    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    add_charge(premises, "200.00", datetime.date(2025, 4, 10))
    add_charge(premises, "80.00", datetime.date(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(premises, "80.00", datetime.date(2025, 4, 11), fund="repair")
    response = resident_client.get(URL)
    html = response.content.decode()
    assert "Salda funduszy" in html
    assert "27 1140 2004 0000 3002 0135 5387" in html
    funds = {f.fund: f for f in response.context["selected"].funds}
    assert funds["repair"].amount_due == Decimal("0.00")
    assert funds["operating"].amount_due == Decimal("200.00")


def test_page_queries_bounded_for_ten_years(resident_client, premises, today):
    add_charge(premises, "100.00", datetime.date(2015, 1, 10))
    resident_client.get(URL)  # warms the cached company row, as every later request finds it
    few = count_queries(resident_client, URL)
    day = datetime.date(2015, 2, 10)
    charges, payments = [], []
    for month in range(120):
        period = datetime.date(2015 + month // 12, month % 12 + 1, 1)
        charges.append(
            Charge(
                premises=premises,
                category=Charge.Category.MANAGEMENT,
                title="Zaliczka",
                period=period,
                due_date=period.replace(day=10),
                amount=Decimal("321.09"),
            )
        )
        payments.append(
            Payment(premises=premises, booked_on=period.replace(day=5), amount=Decimal("321.09"))
        )
    Charge.objects.bulk_create(charges)
    Payment.objects.bulk_create(payments)
    del day
    # session + user, balances, three as-of dates, fund accounts, ledger count + page, summary
    assert count_queries(resident_client, URL) == few


def test_page_queries_bounded_for_five_premises(resident_client, resident, premises, today):
    add_charge(premises, "100.00", datetime.date(2025, 1, 10))
    resident_client.get(URL)  # warms the cached company row, as every later request finds it
    one = count_queries(resident_client, URL)
    for number in range(4):
        other = PremisesFactory(building=premises.building, number=f"5{number}")
        OwnershipFactory(user=resident, premises=other)
        add_charge(other, "100.00", datetime.date(2025, 1, 10))
        add_payment(other, "50.00", datetime.date(2025, 1, 11))
    assert count_queries(resident_client, URL) == one


def test_home_panel_shows_amount_due_per_premises(rf, resident, premises, neighbour, today):
    add_charge(premises, "120.00", datetime.date(2025, 4, 10))
    neighbours_premises = neighbour.ownerships.get().premises
    add_charge(neighbours_premises, "777.00", datetime.date(2025, 4, 10))
    request = rf.get("/")
    request.user = resident
    panel = home_panel(request)
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "Finanse" in html and "do zapłaty" in html and "120,00\xa0zł" in html
    assert "777,00" not in html


def test_home_panel_shows_overpayment(rf, resident, premises, today):
    add_payment(premises, "80.00", datetime.date(2025, 4, 10))
    request = rf.get("/")
    request.user = resident
    panel = home_panel(request)
    html = render_to_string(panel["template"], {"panel": panel}, request=request)
    assert "nadpłata" in html and "80,00\xa0zł" in html


@pytest.mark.parametrize(
    ("extra", "more"),
    [
        (7, "Jeszcze 1 lokal – zobacz Finanse"),
        (8, "Jeszcze 2 lokale – zobacz Finanse"),
        (11, "Jeszcze 5 lokali – zobacz Finanse"),
    ],
)
def test_home_panel_of_many_premises_shows_those_to_pay_first_and_the_total(
    resident_client, resident, premises, today, extra, more
):
    """An owner of many premises: 8 lines, the ones with something to pay first, the total
    due of all of them and a link to Finanse for the rest (issue 17: 40 lines buried the page
    and took 5 ms to render)."""
    for number in range(extra):
        OwnershipFactory(
            user=resident,
            premises=PremisesFactory(building=premises.building, number=f"5{number:02d}"),
        )
    last = PremisesFactory(building=premises.building, number="99")
    OwnershipFactory(user=resident, premises=last)
    add_charge(last, "250.00", datetime.date(2025, 4, 10))
    add_charge(premises, "100.00", datetime.date(2025, 4, 10))
    html = resident_client.get("/").content.decode()
    panel = html[
        html.index('id="home-finance"') : html.index("</section>", html.index('id="home-finance"'))
    ]
    assert panel.count("<li>") == 8
    assert "lokal 99</a>:" in panel  # to pay: listed although last by address
    assert 'Razem do zapłaty: <span class="amount amount--due">350,00\xa0zł</span>' in panel
    assert f'<a href="/finanse/">{more}</a>' in panel


def test_home_panel_of_a_few_premises_lists_them_all_without_a_total(
    resident_client, resident, premises, today
):
    for number in range(7):
        OwnershipFactory(
            user=resident,
            premises=PremisesFactory(building=premises.building, number=f"5{number:02d}"),
        )
    html = resident_client.get("/").content.decode()
    panel = html[
        html.index('id="home-finance"') : html.index("</section>", html.index('id="home-finance"'))
    ]
    assert panel.count("<li>") == 8
    assert "Razem do zapłaty" not in panel and "zobacz Finanse" not in panel


def test_home_panel_absent_without_premises(rf, today):
    from tests.factories import UserFactory

    request = rf.get("/")
    request.user = UserFactory()
    assert home_panel(request) is None


def test_nothing_booked_shows_no_code(resident_client, premises, today):
    html = resident_client.get(URL).content.decode()
    assert "data:image/svg+xml" not in html
    assert "Nie ma teraz nic do zapłaty." in html


def test_paid_up_resident_sees_the_coming_instalment_with_code(resident_client, premises, today):
    # Paid everything: no longer "nothing to pay", but the next advance (May, projected from
    # April's monthly charge), due Saturday 10.05.2025, so payable until Monday 12.05.2025.
    premises.bank_account = "34109010140000071219812875"
    premises.save()
    add_charge(premises, "100.00", datetime.date(2025, 4, 10))
    add_payment(premises, "100.00", datetime.date(2025, 4, 10))
    response = resident_client.get(URL)
    html = response.content.decode()
    assert "Kwota do zapłaty: <span" in html and "Następna wpłata" in html
    assert "do 12.05.2025" in html
    assert "data:image/svg+xml" in html
    [target] = response.context["targets"]
    assert target.is_next and target.amount == Decimal("100.00")
    fields = target.code.payload.split("|")
    assert fields[2:4] == ["34109010140000071219812875", "010000"]
    assert fields[5] == "Lokal 12 opłaty 05/2025"


def test_finance_page_of_several_premises_shows_their_total_due(
    resident_client, resident, premises, today
):
    """A landlord of many flats sees what all of them owe together (an overpayment of one flat
    does not pay another's), as the start page does for more than 8."""
    add_charge(premises, "100.00", datetime.date(2025, 3, 10))
    second = PremisesFactory(building=premises.building, number="14B")
    OwnershipFactory(user=resident, premises=second)
    add_charge(second, "250.50", datetime.date(2025, 4, 10))
    overpaid = PremisesFactory(building=premises.building, number="15")
    OwnershipFactory(user=resident, premises=overpaid)
    add_payment(overpaid, "300.00", datetime.date(2025, 4, 1))
    html = resident_client.get(URL).content.decode()
    overview = html[html.index('id="finance-premises"') : html.index('id="finance-selected"')]
    assert (
        'Razem do zapłaty za wszystkie lokale: <span class="amount amount--due">350,50\xa0zł</span>'
        in overview
    )
    assert (
        'w tym zaległość (termin minął): <span class="amount amount--due">350,50\xa0zł</span>'
        in overview
    )


def test_finance_page_of_one_premises_has_no_total(resident_client, premises, today):
    add_charge(premises, "100.00", datetime.date(2025, 3, 10))
    assert "za wszystkie lokale" not in resident_client.get(URL).content.decode()


def _stated(label: str, amount: str, text: str) -> bool:
    """``label`` with the day (a header cell that may wrap around the amount) and ``amount``."""
    day = re.escape("09.05.2025")
    pattern = rf"{re.escape(label)} na dzień ({day} )?{re.escape(amount)}( {day})?"
    return re.search(pattern, text) is not None


def _statement_text(client, premises, params=None):
    response = client.get(reverse("finance:statement", args=[premises.pk]), params or {})
    assert response["Content-Type"] == "application/pdf"
    return " ".join(pdf_text(response.content).replace("\xa0", " ").split())


def test_statement_pdf_states_the_pages_amount_due(resident_client, premises, today):
    """Whatever months the statement covers, it says what is to pay today: the page's figure."""
    add_charge(premises, "1234.56", datetime.date(2025, 4, 10), title="Zaliczka 04/2025")
    add_charge(premises, "350.00", datetime.date(2025, 5, 10), title="Zaliczka 05/2025")
    add_payment(premises, "200.00", datetime.date(2025, 3, 20), title="Przelew marzec")
    page = resident_client.get(URL)
    assert page.context["selected"].amount_due == Decimal("1034.56")
    text = _statement_text(resident_client, premises, {"od": "2025-03", "do": "2025-03"})
    assert _stated("Kwota do zapłaty", "1 034,56 zł", text)
    assert "w tym zaległość (termin minął) 1 034,56 zł" in text


def test_statement_pdf_states_an_overpayment(resident_client, premises, today):
    add_payment(premises, "500.00", datetime.date(2025, 5, 2))
    add_charge(premises, "350.00", datetime.date(2025, 5, 10))
    text = _statement_text(resident_client, premises)
    assert _stated("Nadpłata", "500,00 zł", text)
    assert "Kwota do zapłaty" not in text


def test_statement_pdf_states_each_funds_amount_and_account(resident_client, premises, today):
    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    add_charge(premises, "200.00", datetime.date(2025, 4, 10))
    add_charge(premises, "80.00", datetime.date(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(premises, "50.00", datetime.date(2025, 4, 11), fund="repair")
    text = _statement_text(resident_client, premises)
    assert _stated("Kwota do zapłaty", "230,00 zł", text)
    assert "koszty eksploatacji: 200,00 zł" in text
    assert "fundusz remontowy: 30,00 zł, rachunek 27 1140 2004 0000 3002 0135 5387" in text
