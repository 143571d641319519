import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from correspondence.models import FeeNoticeRun, Letter, SmsNotice
from finance.models import Charge, Payment
from notifications.models import Message
from notifications.sms import MemorySmsBackend
from premises.models import Ownership
from tests.factories import BuildingFactory, OwnershipFactory, PremisesFactory, UserFactory
from tests.pdf import pdf_text

from .helpers import make_consent, make_letter


@pytest.fixture(autouse=True)
def _clean_sms():
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def e_community(community):
    community.e_delivery_start = datetime.date(2020, 1, 1)
    community.sms_enabled = True
    community.save()
    return community


def _charge(premises, title, category, amount, period=datetime.date(2026, 4, 1)):
    return Charge.objects.create(
        premises=premises,
        category=category,
        title=title,
        period=period,
        due_date=period.replace(day=10),
        amount=Decimal(amount),
    )


def test_fee_notices_generated_as_pdfs_then_published_in_bulk(
    admin_client,
    resident_client,
    e_community,
    premises,
    resident,
    django_capture_on_commit_callbacks,
):
    _charge(premises, "Zaliczka na koszty zarządu", "management", "228.06")
    _charge(premises, "Fundusz remontowy", "repair_fund", "135.75")
    _charge(premises, "Zaliczka marcowa", "management", "200.00", datetime.date(2026, 3, 1))
    make_consent(user=resident, premises=premises, days_ago=40)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            "/admin/correspondence/feenoticerun/add/",
            {
                "community": e_community.pk,
                "effective_from": "01.04.2026",
                "note": "Na podstawie uchwały nr 5/2026.",
                "letters-TOTAL_FORMS": "0",
                "letters-INITIAL_FORMS": "0",
            },
            follow=True,
        )
    assert "Zawiadomienia (PDF) są przygotowywane w tle" in response.content.decode()
    # No PDF is made in the request: the worker's task makes them (one task per run).
    assert not Letter.objects.exists()
    for callback in queued:
        callback()
    from correspondence.tasks import fee_notice_run_build

    assert (
        fee_notice_run_build.call(run_id=FeeNoticeRun.objects.get().pk) == 0
    )  # a retry: no copies
    letter = Letter.objects.get()
    assert letter.kind == Letter.Kind.FEE_NOTICE and letter.published_at is None
    with letter.attachments.get().file.open("rb") as handle:
        text = pdf_text(handle.read())
    assert "Zawiadomienie o wysokości opłat od 01.04.2026" in text
    assert "Fundusz remontowy" in text and "135,75 zł" in text
    assert "363,81 zł" in text  # the total, from the database
    assert "Zaliczka marcowa" not in text
    assert "Na podstawie uchwały nr 5/2026." in text
    # A draft is not visible to the resident.
    assert (
        "Zawiadomienie o wysokości" not in resident_client.get("/korespondencja/").content.decode()
    )

    run = FeeNoticeRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/correspondence/feenoticerun/",
            {"action": "publish", "_selected_action": [run.pk]},
        )
    letter.refresh_from_db()
    assert letter.published_at is not None
    assert letter.delivery_channel == "email"
    assert mail.outbox[0].to == [resident.email]
    assert "Zawiadomienie o wysokości" in resident_client.get("/korespondencja/").content.decode()


def test_fee_notices_ordered_twice_are_made_once(
    admin_client, e_community, premises, django_capture_on_commit_callbacks
):
    _charge(premises, "Zaliczka na koszty zarządu", "management", "228.06")
    data = {
        "community": e_community.pk,
        "effective_from": "01.04.2026",
        "note": "Na podstawie uchwały nr 5/2026.",
        "letters-TOTAL_FORMS": "0",
        "letters-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/correspondence/feenoticerun/add/", data)
        response = admin_client.post("/admin/correspondence/feenoticerun/add/", data, follow=True)
    run = FeeNoticeRun.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/correspondence/feenoticerun/{run.pk}/change/"
    assert "Te zawiadomienia zlecono przed chwilą" in response.content.decode()


def test_fee_notice_without_charges_warns(admin_client, e_community):
    response = admin_client.post(
        "/admin/correspondence/feenoticerun/add/",
        {
            "community": e_community.pk,
            "effective_from": "01.04.2026",
            "letters-TOTAL_FORMS": "0",
            "letters-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert "Brak naliczeń za ten miesiąc" in response.content.decode()


def test_letters_to_print_listed_printed_and_marked(admin_client, premises, resident):
    post_letter = make_letter(
        premises=premises,
        recipient=resident,
        subject="Wezwanie do zapłaty 1/2026",
        kind=Letter.Kind.PAYMENT_DEMAND,
        delivery_channel="post",
        delivery_reason="payment_demand",
    )
    make_letter(
        premises=premises,
        recipient=resident,
        subject="Pismo e-mailem",
        delivery_channel="email",
        delivery_reason="consent",
    )
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Wezwanie do zapłaty 1/2026" in page and "Pismo e-mailem" not in page
    assert "wezwania do zapłaty wysyłane są pocztą" in page  # why it goes by post

    response = admin_client.post(
        "/admin/correspondence/letter/",
        {"action": "print_for_post", "_selected_action": [post_letter.pk]},
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Wezwanie do zapłaty 1/2026" in text and "Anna Nowak" in text
    post_letter.refresh_from_db()
    assert post_letter.printed_at is not None
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Wezwanie do zapłaty 1/2026" not in page


def test_a_letter_whose_e_mail_failed_for_good_is_printed_for_post(
    admin_client, premises, resident
):
    """The "to print" list shows it, so the print action prints it too (not "nothing to
    post"): the letter still has to reach its addressee."""
    letter = make_letter(
        premises=premises,
        recipient=resident,
        subject="Rozliczenie wody 2025",
        delivery_channel="email",
        delivery_reason="consent",
        delivery_address="pelna.skrzynka@example.com",
    )
    Message.objects.create(
        recipient=resident,
        channel="email",
        to_address="pelna.skrzynka@example.com",
        body="…",
        related=letter,
        status=Message.Status.FAILED,
        attempts=5,
        last_error="SMTPRecipientsRefused: 552 mailbox full",
    )
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Rozliczenie wody 2025" in page

    response = admin_client.post(
        "/admin/correspondence/letter/",
        {"action": "print_for_post", "_selected_action": [letter.pk]},
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Rozliczenie wody 2025" in pdf_text(response.content)
    letter.refresh_from_db()
    assert letter.printed_at is not None
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Rozliczenie wody 2025" not in page


def test_a_letter_on_its_way_by_e_mail_is_not_printed(admin_client, premises, resident):
    letter = make_letter(
        premises=premises,
        recipient=resident,
        subject="Pismo e-mailem",
        delivery_channel="email",
        delivery_reason="consent",
    )
    Message.objects.create(
        recipient=resident, channel="email", to_address="a@example.com", body="…", related=letter
    )
    response = admin_client.post(
        "/admin/correspondence/letter/",
        {"action": "print_for_post", "_selected_action": [letter.pk]},
        follow=True,
    )
    assert "Wśród zaznaczonych nie ma pism do wysłania pocztą." in response.content.decode()
    letter.refresh_from_db()
    assert letter.printed_at is None


def test_a_bounced_letter_e_mail_marked_by_the_office_goes_back_to_print(
    admin_client, premises, resident
):
    """The relay took the e-mail, then the mailbox bounced it: the office marks the message
    as returned and the letter is on the list to print and post again."""
    letter = make_letter(
        premises=premises,
        recipient=resident,
        subject="Rozliczenie ciepła 2025",
        delivery_channel="email",
        delivery_reason="consent",
    )
    sent = Message.objects.create(
        recipient=resident,
        channel="email",
        to_address="literowka@exmaple.com",
        body="…",
        related=letter,
        status=Message.Status.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
    sms = Message.objects.create(
        recipient=resident, channel="sms", to_address="+48601000001", body="…", status="sent"
    )
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Rozliczenie ciepła 2025" not in page

    response = admin_client.post(
        "/admin/notifications/message/",
        {"action": "mark_bounced", "_selected_action": [sent.pk, sms.pk]},
        follow=True,
    )
    assert "Wiadomości e-mail oznaczone jako zwrócone: 1." in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Message.Status.FAILED
    assert "zwrócona" in sent.last_error
    sms.refresh_from_db()
    assert sms.status == Message.Status.SENT  # only e-mails bounce
    page = admin_client.get("/admin/correspondence/letter/?do_druku=tak").content.decode()
    assert "Rozliczenie ciepła 2025" in page


def test_send_again_action_redelivers(
    admin_client, e_community, premises, resident, django_capture_on_commit_callbacks
):
    make_consent(user=resident, premises=premises, days_ago=40)
    letter = make_letter(premises=premises, recipient=resident, subject="Informacja o przeglądzie")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/correspondence/letter/",
            {"action": "send_again", "_selected_action": [letter.pk]},
        )
    letter.refresh_from_db()
    assert letter.delivery_channel == "email"
    assert Message.objects.for_object(letter).get().status == Message.Status.SENT
    page = admin_client.get(f"/admin/correspondence/letter/{letter.pk}/change/").content.decode()
    assert "wysłana" in page and resident.email in page


@pytest.fixture
def sms_building(e_community, building, premises, resident, neighbour):
    """Resident and neighbour consent to SMS; a tenant and another building's owner too."""
    make_consent(user=resident, premises=premises, channel="sms", address="601000001")
    neighbour_premises = neighbour.ownerships.get().premises
    make_consent(user=neighbour, premises=neighbour_premises, channel="sms", address="601000002")
    other_building = BuildingFactory(community=e_community, street="ul. Inna 1")
    other_owner = UserFactory()
    other_premises = PremisesFactory(building=other_building)
    OwnershipFactory(user=other_owner, premises=other_premises)
    make_consent(user=other_owner, premises=other_premises, channel="sms", address="601000003")
    withdrawn_owner = UserFactory()
    withdrawn_premises = PremisesFactory(building=building, number="30")
    OwnershipFactory(user=withdrawn_owner, premises=withdrawn_premises)
    consent = make_consent(
        user=withdrawn_owner, premises=withdrawn_premises, channel="sms", address="601000004"
    )
    consent.withdrawn_at = timezone.now()
    consent.save()
    return building


def test_failure_sms_goes_to_consenting_owners_of_the_building(
    admin_client, e_community, sms_building, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/correspondence/smsnotice/add/",
            {
                "community": e_community.pk,
                "building": sms_building.pk,
                "kind": "interruption",
                "text": "Strefa: jutro 8-14 przerwa w dostawie zimnej wody (awaria pionu).",
            },
            follow=True,
        )
    assert "SMS przekazano do wysłania do 2 osób." in response.content.decode()
    assert sorted(to for to, _text in MemorySmsBackend.outbox) == ["601000001", "601000002"]
    notice = SmsNotice.objects.get()
    assert notice.recipients_count == 2
    assert Message.objects.filter(channel="sms", status="sent").count() == 2


def test_an_sms_notice_sent_twice_reaches_each_owner_once(
    admin_client, e_community, sms_building, django_capture_on_commit_callbacks
):
    data = {
        "community": e_community.pk,
        "building": sms_building.pk,
        "kind": "interruption",
        "text": "Strefa: jutro 8-14 przerwa w dostawie zimnej wody (awaria pionu).",
    }
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/correspondence/smsnotice/add/", data)
        response = admin_client.post("/admin/correspondence/smsnotice/add/", data, follow=True)
    notice = SmsNotice.objects.get()
    assert notice.recipients_count == 2
    assert response.redirect_chain[-1][0] == f"/admin/correspondence/smsnotice/{notice.pk}/change/"
    assert "Ten SMS wysłano przed chwilą: nie wysłano go drugi raz." in response.content.decode()
    assert sorted(to for to, _text in MemorySmsBackend.outbox) == ["601000001", "601000002"]


def test_payment_reminder_sms_only_to_premises_in_arrears(
    admin_client, e_community, sms_building, premises, neighbour, django_capture_on_commit_callbacks
):
    past = timezone.localdate() - datetime.timedelta(days=20)
    _charge(premises, "Zaliczka", "management", "300.00", past.replace(day=1))
    neighbour_premises = neighbour.ownerships.get().premises
    _charge(neighbour_premises, "Zaliczka", "management", "300.00", past.replace(day=1))
    Payment.objects.create(premises=neighbour_premises, booked_on=past, amount=Decimal("300.00"))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/correspondence/smsnotice/add/",
            {
                "community": e_community.pk,
                "kind": "payment_reminder",
                "text": "Strefa: przypominamy o zaległej opłacie za lokal. Szczegóły w Strefie.",
            },
        )
    assert [to for to, _text in MemorySmsBackend.outbox] == ["601000001"]


def test_sms_refused_when_community_has_sms_off(admin_client, community, building):
    response = admin_client.post(
        "/admin/correspondence/smsnotice/add/",
        {"community": community.pk, "building": building.pk, "kind": "failure", "text": "x"},
    )
    assert "Powiadomienia SMS są wyłączone" in response.content.decode()
    assert not SmsNotice.objects.exists()


def test_paper_consent_only_for_the_designated_recipient(admin_client, premises, resident):
    co_owner = UserFactory()
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER)
    Ownership.objects.filter(user=resident).update(is_correspondence_recipient=True)
    data = {
        "user": co_owner.pk,
        "premises": premises.pk,
        "channel": "email",
        "address": "wspol@example.com",
        "consent_text": "(zgoda złożona na formularzu papierowym w biurze)",
        "given_at_0": "01.03.2026",
        "given_at_1": "10:00:00",
    }
    response = admin_client.post("/admin/correspondence/deliveryconsent/add/", data)
    assert "wyznaczony" in response.content.decode()
    response = admin_client.post(
        "/admin/correspondence/deliveryconsent/add/", {**data, "user": resident.pk}
    )
    assert response.status_code == 302
    consent = resident.delivery_consents.get()
    assert "wspol@example.com" in consent.consent_text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/correspondence/letter/",
        "/admin/correspondence/thread/",
        "/admin/correspondence/deliveryconsent/",
        "/admin/correspondence/smsnotice/",
        "/admin/correspondence/feenoticerun/",
        "/admin/notifications/message/",
    ],
)
def test_admin_lists_open(admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_a_big_fee_notice_run_is_split_into_chunks_for_several_workers(
    e_community, premises, building, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 17: each worker takes a chunk of the run's premises; a retried chunk (or the
    whole run's task) makes no copies."""
    from correspondence import fee_notices
    from correspondence.tasks import fee_notice_run_build
    from tests.factories import OwnershipFactory, PremisesFactory, UserFactory

    monkeypatch.setattr(fee_notices, "FEE_NOTICE_CHUNK", 2)
    flats = [premises] + [PremisesFactory(building=building, number=f"C{i}") for i in range(4)]
    for flat in flats:
        OwnershipFactory(user=UserFactory(), premises=flat)
        _charge(flat, "Zaliczka na koszty zarządu", "management", "100.00")
    run = FeeNoticeRun.objects.create(
        community=e_community, effective_from=datetime.date(2026, 4, 1)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        fee_notices.fee_notice_run_generate_later(run=run)
    assert len(queued) == 3  # 5 premises in chunks of 2
    for callback in queued:
        callback()
    assert Letter.objects.filter(fee_notice_run=run).count() == 5
    chunk = [flats[0].pk, flats[1].pk]
    assert fee_notice_run_build.call(run_id=run.pk, premises_ids=chunk) == 0
    assert fee_notice_run_build.call(run_id=run.pk) == 0
    assert Letter.objects.filter(fee_notice_run=run).count() == 5


def _notice_text(run) -> str:
    from correspondence.fee_notices import fee_notice_run_generate

    (letter,) = fee_notice_run_generate(run=run)
    with letter.attachments.get().file.open("rb") as handle:
        return pdf_text(handle.read())


def test_fee_notice_states_the_monthly_fee_without_a_correction(e_community, premises, resident):
    _charge(premises, "Zaliczka na koszty zarządu", "management", "228.06")
    _charge(premises, "Korekta wody za marzec", "water", "-35.20")
    run = FeeNoticeRun.objects.create(
        community=e_community, effective_from=datetime.date(2026, 4, 1)
    )
    text = _notice_text(run)
    assert "Korekta wody" not in text
    assert re.search(r"Razem do zapłaty miesięcznie\s+228,06 zł", text)


def test_fee_notice_names_each_funds_own_account(e_community, premises, resident):
    from finance.models import FundAccount

    FundAccount.objects.create(
        community=e_community, fund="repair", bank_account="27114020040000300201355387"
    )
    _charge(premises, "Zaliczka na koszty zarządu", "management", "228.06")
    repair = _charge(premises, "Fundusz remontowy", "repair_fund", "135.75")
    repair.fund = "repair"
    repair.save()
    run = FeeNoticeRun.objects.create(
        community=e_community, effective_from=datetime.date(2026, 4, 1)
    )
    text = " ".join(_notice_text(run).split())
    assert "Razem koszty eksploatacji 228,06 zł" in text
    assert "Razem fundusz remontowy 135,75 zł" in text
    assert "Razem do zapłaty miesięcznie 363,81 zł" in text
    assert "Fundusz remontowy: 27 1140 2004 0000 3002 0135 5387" in text
    own = premises.bank_account or e_community.bank_account
    assert f"Koszty eksploatacji: {own[:2]} {own[2:6]}" in text
