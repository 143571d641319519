import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.imports import preview_bank_statement, preview_charges
from finance.models import Charge, FundAccount, ImportBatch, Payment
from finance.services import ImportRejected, import_apply
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT_12 = "34109010140000071219812875"
BAD_ACCOUNT = "34109010140000071219812876"  # one digit off: checksum fails


@pytest.fixture
def office(db):
    return UserFactory(is_staff=True, is_superuser=True, username="biuro")


@pytest.fixture
def admin_client(client, office):
    client.force_login(office)
    return client


@pytest.fixture
def premises_with_account(premises):
    premises.bank_account = ACCOUNT_12
    premises.save()
    return premises


CHARGES_CSV = (
    "lokal;kategoria;okres;kwota;tytul\n"
    "12;zaliczka na koszty zarządu;2025-05;228,06;Zaliczka 05/2025\n"
    "12;fundusz remontowy;05/2025;135,75;\n"
    "12;woda i ścieki;2025-04;-35,20;Korekta wody\n"
)


def test_charges_preview_and_apply(premises, office):
    community = premises.building.community
    community.payment_due_day = 15
    community.save()
    preview = preview_charges(community=community, file_name="n.csv", content=CHARGES_CSV.encode())
    assert not preview.has_errors
    assert len(preview.to_create) == 3
    batch = import_apply(preview=preview, user=office)
    assert batch.rows_created == 3
    repair = Charge.objects.get(category=Charge.Category.REPAIR_FUND)
    assert repair.fund == "repair"
    assert repair.due_date == datetime.date(2025, 5, 15)  # the community's due day
    assert repair.title == "fundusz remontowy 05/2025"
    assert Charge.objects.get(title="Korekta wody").amount == Decimal("-35.20")


def test_charges_with_one_bad_row_change_nothing(premises, office):
    content = CHARGES_CSV + "99;odpady;2025-05;10,00;\n12;prąd;2025-13;12,3x;\n"
    preview = preview_charges(
        community=premises.building.community, file_name="n.csv", content=content.encode()
    )
    assert preview.has_errors
    errors = [e for row in preview.error_rows for e in row.errors]
    assert any("Lokal „99” nie istnieje" in e for e in errors)
    assert any("Nieznana kategoria „prąd”" in e for e in errors)
    assert any("Nieprawidłowy okres „2025-13”" in e for e in errors)
    assert any("Nieprawidłowa kwota „12,3x”" in e for e in errors)
    with pytest.raises(ImportRejected):
        import_apply(preview=preview, user=office)
    assert Charge.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_same_charges_file_twice_adds_nothing(premises, office):
    community = premises.building.community
    first = preview_charges(community=community, file_name="n.csv", content=CHARGES_CSV.encode())
    import_apply(preview=first, user=office)
    again = preview_charges(community=community, file_name="n.csv", content=CHARGES_CSV.encode())
    assert not again.has_errors
    assert again.to_create == []
    assert all("zaksięgowane wcześniej" in row.notice for row in again.rows)
    assert Charge.objects.count() == 3


def test_charges_of_another_community_are_not_matched(premises, stranger):
    foreign = stranger.ownerships.get().premises
    content = f"lokal;kategoria;okres;kwota\n{foreign.number};odpady;2025-05;10,00\n"
    preview = preview_charges(
        community=premises.building.community, file_name="n.csv", content=content.encode()
    )
    assert preview.has_errors


def test_missing_columns_and_binary_files_are_refused(premises):
    community = premises.building.community
    preview = preview_charges(community=community, file_name="x.csv", content=b"a;b\n1;2\n")
    assert "Brak wymaganych kolumn" in preview.file_errors[0]
    preview = preview_charges(community=community, file_name="x.png", content=b"\x89PNG\x00\x00")
    assert preview.file_errors == ["To nie jest plik tekstowy CSV ani arkusz XLSX."]


BANK_CSV = (
    "id_transakcji;data;kwota;tytul;nadawca;rachunek_nadawcy;rachunek_odbiorcy\n"
    f"TR-1;05.05.2025;350,27;Lokal 12 zaliczka;Anna Nowak;27114020040000300201355387;{ACCOUNT_12}\n"
    "TR-2;06.05.2025;100,00;Za lokal 7;Jan Kowalski;;61109010140000071219812874\n"
    "TR-3;06.05.2025;-50,00;Opłata bankowa;Bank;;61109010140000071219812874\n"
)


def test_bank_statement_matches_by_individual_account(premises_with_account, office):
    preview = preview_bank_statement(file_name="w.csv", content=BANK_CSV.encode())
    assert not preview.has_errors
    assert preview.skipped_count == 1  # the debit
    import_apply(preview=preview, user=office)
    matched = Payment.objects.get(bank_transaction_id="TR-1")
    assert matched.premises == premises_with_account
    assert matched.amount == Decimal("350.27")
    assert matched.booked_on == datetime.date(2025, 5, 5)
    unmatched = Payment.objects.get(bank_transaction_id="TR-2")
    assert unmatched.premises is None


def test_same_statement_twice_adds_nothing(premises_with_account, office):
    import_apply(
        preview=preview_bank_statement(file_name="w.csv", content=BANK_CSV.encode()), user=office
    )
    again = preview_bank_statement(file_name="w.csv", content=BANK_CSV.encode())
    assert not again.has_errors
    assert again.to_create == []
    assert all("pominięto" in row.notice for row in again.rows)
    import_apply(preview=again, user=office)
    assert Payment.objects.count() == 2


def test_invalid_account_number_is_a_row_error(premises_with_account, office):
    content = (
        "id_transakcji;data;kwota;rachunek_odbiorcy\n"
        f"TR-9;05.05.2025;10,00;{BAD_ACCOUNT}\n"
        "TR-10;05.05.2025;10,00;123\n"
        f"TR-1;05.05.2025;10,00;{ACCOUNT_12}\n"
        f"TR-1;05.05.2025;10,00;{ACCOUNT_12}\n"
    )
    preview = preview_bank_statement(file_name="w.csv", content=content.encode())
    errors = {row.line: row.errors for row in preview.rows}
    assert "błędna suma kontrolna" in errors[2][0]
    assert "26 cyfr" in errors[3][0]
    assert "powtarza się" in errors[5][0]
    with pytest.raises(ImportRejected):
        import_apply(preview=preview, user=office)
    assert Payment.objects.count() == 0


def test_payment_to_fund_account_is_booked_to_the_fund(premises, office):
    FundAccount.objects.create(
        community=premises.building.community,
        fund="repair",
        bank_account="27114020040000300201355387",
    )
    content = (
        "id_transakcji;data;kwota;rachunek_odbiorcy\n"
        "FR-1;05.05.2025;80,00;27114020040000300201355387\n"
    )
    import_apply(
        preview=preview_bank_statement(file_name="w.csv", content=content.encode()), user=office
    )
    payment = Payment.objects.get()
    assert payment.fund == "repair" and payment.premises is None


MT940 = f""":20:STMT1
:25:/PL{ACCOUNT_12}
:28C:1/1
:60F:C250501PLN1000,00
:61:2505050505CN350,27NTRFNONREF//BR25125000001
:86:020~00TRF~20Lokal 12 zaliczka~2105/2025~32ANNA NOWAK~38PL27114020040000300201355387
:61:2505060506DN12,00NCHGNONREF//BR25126000002
:86:020~00CHG~20Opłata za prowadzenie rachunku
:62F:C250506PLN1338,27
"""


def test_mt940_statement_is_imported_once(premises_with_account, office):
    preview = preview_bank_statement(file_name="w.sta", content=MT940.encode())
    assert preview.kind == ImportBatch.Kind.BANK_MT940
    assert not preview.has_errors, [r.errors for r in preview.rows]
    import_apply(preview=preview, user=office)
    payment = Payment.objects.get()
    assert payment.premises == premises_with_account
    assert payment.title == "Lokal 12 zaliczka05/2025"
    assert payment.payer_name == "ANNA NOWAK"
    assert payment.payer_account == "27114020040000300201355387"
    again = preview_bank_statement(file_name="w.sta", content=MT940.encode())
    assert again.to_create == []


def test_admin_import_preview_then_apply(admin_client, premises_with_account):
    url = reverse("admin:finance_payment_import")
    assert "rachunek_odbiorcy" in admin_client.get(url).content.decode()
    upload = SimpleUploadedFile("wyciag.csv", BANK_CSV.encode(), content_type="text/csv")
    response = admin_client.post(url, {"file": upload})
    html = response.content.decode()
    assert "Podgląd importu: wyciag.csv" in html
    assert "nieprzypisana" in html
    assert Payment.objects.count() == 0  # a preview saves nothing
    token = response.context["token"]
    response = admin_client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert "Zaimportowano 2 pozycje, pominięto 1." in response.content.decode()
    assert Payment.objects.count() == 2
    # Applying the same preview again adds nothing.
    admin_client.post(url, {"token": token, "apply": "1"}, follow=True)
    assert Payment.objects.count() == 2


def test_admin_import_with_errors_offers_no_apply(admin_client, premises):
    url = reverse("admin:finance_charge_import")
    upload = SimpleUploadedFile("n.csv", b"lokal;kategoria;okres;kwota\n99;odpady;2025-05;1\n")
    response = admin_client.post(url, {"community": premises.building.community.pk, "file": upload})
    html = response.content.decode()
    assert "nie istnieje we wspólnocie" in html
    assert response.context["token"] == ""
    assert "Zatwierdź import" not in html


def test_admin_import_tampered_token_is_refused(admin_client, premises):
    url = reverse("admin:finance_charge_import")
    response = admin_client.post(url, {"token": "zmyslony", "apply": "1"}, follow=True)
    assert "Podgląd wygasł lub jest nieprawidłowy" in response.content.decode()
    assert Charge.objects.count() == 0


def test_unmatched_payments_filter_and_assignment(admin_client, premises):
    payment = Payment.objects.create(
        booked_on=datetime.date(2025, 5, 5), amount=Decimal("99.00"), title="Nieznany przelew"
    )
    changelist = reverse("admin:finance_payment_changelist")
    html = admin_client.get(changelist, {"przypisanie": "nieprzypisane"}).content.decode()
    assert "Nieznany przelew" in html
    change = reverse("admin:finance_payment_change", args=[payment.pk])
    response = admin_client.post(change, {"premises": premises.pk})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.premises == premises
    # A wrong assignment can be undone; every change is in the payment's history.
    admin_client.post(change, {"premises": ""})
    payment.refresh_from_db()
    assert payment.premises is None
    reasons = [h.history_change_reason for h in payment.history.order_by("history_id")]
    assert reasons[-2:] == [
        f"Przypisanie wpłaty: nieprzypisana → {premises}",
        f"Przypisanie wpłaty: {premises} → nieprzypisana",
    ]
    assert payment.history.first().history_user.username == "biuro"


def test_booked_charge_is_read_only_and_cannot_be_deleted(admin_client, premises):
    charge = Charge.objects.create(
        premises=premises,
        category=Charge.Category.WASTE,
        title="Odpady 05/2025",
        period=datetime.date(2025, 5, 1),
        due_date=datetime.date(2025, 5, 10),
        amount=Decimal("36.00"),
    )
    change = reverse("admin:finance_charge_change", args=[charge.pk])
    admin_client.post(change, {"amount": "1.00"})
    charge.refresh_from_db()
    assert charge.amount == Decimal("36.00")
    response = admin_client.post(reverse("admin:finance_charge_delete", args=[charge.pk]))
    assert response.status_code == 403
    assert Charge.objects.filter(pk=charge.pk).exists()


def test_admin_adds_charge_with_defaults_from_community(admin_client, premises):
    response = admin_client.post(
        reverse("admin:finance_charge_add"),
        {
            "premises": premises.pk,
            "category": "repair_fund",
            "period": "2025-06-01",
            "amount": "135.75",
        },
    )
    assert response.status_code == 302, response.content.decode()
    charge = Charge.objects.get()
    assert charge.fund == "repair"
    assert charge.due_date == datetime.date(2025, 6, 10)


def test_staff_of_other_community_cannot_import_into_it(client, premises, stranger):
    from premises.models import CommunityRole

    other_community = stranger.ownerships.get().premises.building.community
    staff = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_charge", "view_charge"])
    )
    CommunityRole.objects.create(user=staff, community=other_community, role="staff")
    client.force_login(staff)
    upload = SimpleUploadedFile("n.csv", CHARGES_CSV.encode())
    response = client.post(
        reverse("admin:finance_charge_import"),
        {"community": premises.building.community.pk, "file": upload},
    )
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert Charge.objects.count() == 0


@pytest.mark.parametrize("model", ["charge", "payment", "fundaccount", "importbatch"])
def test_admin_lists_open_with_bounded_queries(admin_client, premises, model):
    from tests.utils import count_queries

    url = reverse(f"admin:finance_{model}_changelist")

    def add_charge_and_payment(n):
        for _i in range(n):
            i = Charge.objects.count()  # a charge is unique per premises, period and title
            Charge.objects.create(
                premises=premises,
                category=Charge.Category.WASTE,
                title=f"Odpady {i}",
                period=datetime.date(2025, 1, 1),
                due_date=datetime.date(2025, 1, 10),
                amount=Decimal("1.00"),
            )
            Payment.objects.create(
                premises=premises, booked_on=datetime.date(2025, 1, 2), amount=Decimal("1.00")
            )

    add_charge_and_payment(1)
    one = count_queries(admin_client, url)
    add_charge_and_payment(20)
    assert count_queries(admin_client, url) == one


def test_office_administrator_group_may_import_for_every_community(client, premises, stranger):
    from office.roles import ADMIN_GROUP, groups_sync

    user = UserFactory(is_staff=True, is_superuser=False)
    user.groups.add(groups_sync()[ADMIN_GROUP])
    client.force_login(user)
    page = client.get(reverse("admin:finance_charge_import"))
    offered = set(page.context["form"].fields["community"].queryset)
    other_community = stranger.ownerships.get().premises.building.community
    assert {premises.building.community, other_community} <= offered
