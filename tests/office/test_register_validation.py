"""Postal codes (NN-NNN) and account numbers checked wherever the office enters an address."""

import pytest

from premises.models import Building, Community

from .test_import import csv_file, preview, row

pytestmark = pytest.mark.django_db


def community_form(community, **changes):
    data = {
        "company": community.company.pk,
        "kind": community.kind,
        "name": community.name,
        "street": community.street,
        "postal_code": community.postal_code,
        "city": community.city,
        "bank_account": community.bank_account,
        "payment_due_day": 10,
        "reading_window_start_day": 20,
        "reading_window_end_day": 12,
        "meter_readings_enabled": "on",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("bad", ["00950", "AB-CDE", "00 950", "00-95"])
def test_community_admin_refuses_postal_code_not_nn_nnn(admin_client_, community, bad):
    url = f"/admin/premises/community/{community.pk}/change/"
    response = admin_client_.post(url, community_form(community, postal_code=bad))
    assert response.status_code == 200
    assert "wpisz go w formacie NN-NNN, np. 00-950" in response.content.decode()
    community.refresh_from_db()
    assert community.postal_code == "00-001"


def test_community_admin_accepts_postal_code_nn_nnn(admin_client_, community):
    url = f"/admin/premises/community/{community.pk}/change/"
    response = admin_client_.post(url, community_form(community, postal_code="00-950"))
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.postal_code == "00-950"


def test_community_admin_refuses_account_with_wrong_bank_settlement_digit(admin_client_, community):
    url = f"/admin/premises/community/{community.pk}/change/"
    data = community_form(community, bank_account="36 1090 1015 0000 0712 1981 2874")
    content = admin_client_.post(url, data).content.decode()
    assert "numer rozliczeniowy banku (cyfry 3–10) ma błędną cyfrę kontrolną" in content
    community.refresh_from_db()
    assert community.bank_account == "61109010140000071219812874"


@pytest.mark.parametrize(("code", "saved"), [("00950", False), ("00-950", True)])
def test_building_admin_checks_postal_code(admin_client_, community, code, saved):
    data = {"community": community.pk, "street": "ul. Nowa 1", "postal_code": code}
    data["city"] = "Warszawa"
    response = admin_client_.post("/admin/premises/building/add/", data)
    assert Building.objects.filter(street="ul. Nowa 1").exists() is saved
    if not saved:
        assert "wpisz go w formacie NN-NNN" in response.content.decode()


def test_register_import_refuses_postal_code_not_nn_nnn(admin_client_, company):
    content = preview(admin_client_, csv_file(row(postal_code="00950"))).content.decode()
    assert "Kod pocztowy „00950” jest nieprawidłowy" in content
    assert 'name="token"' not in content  # no confirm button
    assert not Community.objects.exists() and not Building.objects.exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("13", "12", "nie zostawia ani jednego dnia bez odczytów"),  # start = end + 1
        ("1", "31", "nie zostawia ani jednego dnia bez odczytów"),
        ("0", "12", "Upewnij się, że ta wartość jest większa lub równa 1."),
        ("20", "32", "muszą być liczbami od 1 do 31"),
    ],
)
def test_community_admin_refuses_nonsense_reading_window(
    admin_client_, community, start, end, message
):
    url = f"/admin/premises/community/{community.pk}/change/"
    data = community_form(community, reading_window_start_day=start, reading_window_end_day=end)
    response = admin_client_.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    community.refresh_from_db()
    assert (community.reading_window_start_day, community.reading_window_end_day) == (20, 12)


@pytest.mark.parametrize(("start", "end"), [("1", "10"), ("20", "12"), ("31", "5")])
def test_community_admin_accepts_both_window_shapes(admin_client_, community, start, end):
    url = f"/admin/premises/community/{community.pk}/change/"
    data = community_form(community, reading_window_start_day=start, reading_window_end_day=end)
    assert admin_client_.post(url, data).status_code == 302
    community.refresh_from_db()
    assert (community.reading_window_start_day, community.reading_window_end_day) == (
        int(start),
        int(end),
    )


def test_community_admin_switches_payment_reminders_off(admin_client_, community):
    url = f"/admin/premises/community/{community.pk}/change/"
    page = admin_client_.get(url).content.decode()
    assert "Przypomnienia o terminie płatności" in page
    assert "E-mail i SMS z kwotą i terminem przed dniem płatności" in page
    assert community.payment_reminders_enabled  # on unless the community says otherwise
    response = admin_client_.post(url, community_form(community))
    assert response.status_code == 302
    community.refresh_from_db()
    assert not community.payment_reminders_enabled
    admin_client_.post(url, community_form(community, payment_reminders_enabled="on"))
    community.refresh_from_db()
    assert community.payment_reminders_enabled
