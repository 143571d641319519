import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from correspondence.models import DeliveryConsent, Letter, LetterOpening, Thread
from premises.models import Ownership
from tests.factories import OwnershipFactory, UserFactory
from tests.utils import count_queries

from .helpers import PDF_BYTES, make_consent, make_letter


@pytest.fixture
def letter(premises, resident):
    return make_letter(
        premises=premises,
        recipient=resident,
        kind=Letter.Kind.FEE_NOTICE,
        subject="Zawiadomienie o wysokości opłat od 1 kwietnia",
        attachment=("zawiadomienie.pdf", PDF_BYTES),
    )


def test_list_shows_letters_with_kind_date_and_unread_marker(resident_client, letter):
    page = resident_client.get("/korespondencja/").content.decode()
    assert "Zawiadomienie o wysokości opłat od 1 kwietnia" in page
    assert "zawiadomienie o opłatach" in page
    assert timezone.localtime(letter.published_at).strftime("%d.%m.%Y") in page
    assert "nowe" in page
    resident_client.get(f"/korespondencja/pisma/{letter.pk}/")
    page = resident_client.get("/korespondencja/").content.decode()
    assert "badge--new" not in page


def test_list_hides_unpublished_and_others_letters(resident_client, resident, premises, neighbour):
    make_letter(premises=premises, recipient=resident, subject="Szkic", published_at=None)
    neighbours_premises = neighbour.ownerships.get().premises
    make_letter(premises=neighbours_premises, recipient=neighbour, subject="Sąsiada")
    page = resident_client.get("/korespondencja/").content.decode()
    assert "Szkic" not in page and "Sąsiada" not in page
    assert "Nie masz jeszcze żadnych pism." in page


def test_letter_page_shows_body_and_attachment(resident_client, letter):
    page = resident_client.get(f"/korespondencja/pisma/{letter.pk}/").content.decode()
    assert "Treść pisma." in page
    assert "zawiadomienie.pdf" in page


def test_attachment_downloads_for_recipient(resident_client, letter):
    attachment = letter.attachments.get()
    response = resident_client.get(f"/korespondencja/pisma/{letter.pk}/zalaczniki/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "zawiadomienie.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("who", ["neighbour", "stranger"])
def test_other_resident_gets_404_for_letter_and_attachment(client, letter, who, request):
    client.force_login(request.getfixturevalue(who))
    attachment = letter.attachments.get()
    assert client.get(f"/korespondencja/pisma/{letter.pk}/").status_code == 404
    url = f"/korespondencja/pisma/{letter.pk}/zalaczniki/{attachment.pk}/"
    assert client.get(url).status_code == 404
    letter.refresh_from_db()
    assert letter.first_opened_at is None


def test_attachment_of_another_letter_is_404(resident_client, letter, premises, resident, stranger):
    other = make_letter(
        premises=stranger.ownerships.get().premises,
        recipient=stranger,
        attachment=("obcy.pdf", PDF_BYTES),
    )
    url = f"/korespondencja/pisma/{letter.pk}/zalaczniki/{other.attachments.get().pk}/"
    assert resident_client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, letter):
    assert client.get(f"/korespondencja/pisma/{letter.pk}/").status_code == 302
    att = letter.attachments.get()
    assert client.get(f"/korespondencja/pisma/{letter.pk}/zalaczniki/{att.pk}/").status_code == 302


def test_first_opening_by_recipient_is_recorded_once(resident_client, letter):
    resident_client.get(f"/korespondencja/pisma/{letter.pk}/")
    letter.refresh_from_db()
    first = letter.first_opened_at
    assert first is not None
    resident_client.get(f"/korespondencja/pisma/{letter.pk}/")
    letter.refresh_from_db()
    assert letter.first_opened_at == first


def test_co_owner_sees_premises_letter_but_does_not_confirm_delivery(client, letter, premises):
    co_owner = UserFactory()
    OwnershipFactory(user=co_owner, premises=premises, role=Ownership.Role.CO_OWNER)
    client.force_login(co_owner)
    page = client.get(f"/korespondencja/pisma/{letter.pk}/").content.decode()
    assert "Zawiadomienie o wysokości opłat" in page
    letter.refresh_from_db()
    assert letter.first_opened_at is None
    assert LetterOpening.objects.filter(letter=letter, user=co_owner).exists()


def test_tenant_does_not_see_owners_letters(client, letter, premises):
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    client.force_login(tenant)
    assert client.get(f"/korespondencja/pisma/{letter.pk}/").status_code == 404
    mine = make_letter(premises=premises, recipient=tenant, subject="Do najemcy")
    assert "Do najemcy" in client.get("/korespondencja/").content.decode()
    assert client.get(f"/korespondencja/pisma/{mine.pk}/").status_code == 200


@pytest.mark.parametrize("extra", [0, 30])
def test_letter_list_runs_fixed_number_of_queries(resident_client, premises, resident, extra):
    # session + user, count, page of letters (with unread flag), threads
    make_letter(premises=premises, recipient=resident, attachment=("a.pdf", PDF_BYTES))
    resident_client.get(
        "/korespondencja/"
    )  # warms the cached company row, as every later request finds it
    baseline = count_queries(resident_client, "/korespondencja/")
    for i in range(extra):
        make_letter(premises=premises, recipient=resident, subject=f"Pismo {i}")
    assert count_queries(resident_client, "/korespondencja/") == baseline
    assert baseline <= 8


def test_list_paginates(resident_client, premises, resident):
    for i in range(25):
        make_letter(premises=premises, recipient=resident, subject=f"Pismo nr {i}")
    page = resident_client.get("/korespondencja/").content.decode()
    assert "Strona 1 z 2" in page
    assert "Pismo nr 24" in page and "Pismo nr 0<" not in page
    assert "Pismo nr 0" in resident_client.get("/korespondencja/?page=2").content.decode()


def test_home_panel_counts_unread_letters(resident_client, letter, premises, resident):
    make_letter(premises=premises, recipient=resident, subject="Najnowsze pismo")
    page = resident_client.get("/").content.decode()
    assert "2</span> nieprzeczytane pisma" in page
    assert "Najnowsze pismo" in page


def test_home_panel_latest_letter_is_the_newest_published_then_the_highest_id(
    resident_client, premises, resident
):
    """The panel sorts on its own (NULLS LAST, so PostgreSQL does not scan every letter by the
    published_at index): still the newest published letter, ties by id, as on the list."""
    now = timezone.now()
    make_letter(premises=premises, recipient=resident, subject="Dawne", published_at=now)
    make_letter(
        premises=premises, recipient=resident, subject="Późniejsze z dwóch", published_at=now
    )
    make_letter(
        premises=premises,
        recipient=resident,
        subject="Zaplanowane",
        published_at=now + datetime.timedelta(days=1),
    )
    make_letter(
        premises=premises,
        recipient=resident,
        subject="Starsze",
        published_at=now - datetime.timedelta(days=3),
    )
    page = resident_client.get("/").content.decode()
    assert "Najnowsze: " in page and "Późniejsze z dwóch</a>" in page
    assert "3</span> nieprzeczytane pisma" in page
    assert "Zaplanowane" not in page


# --- Messages to the office -------------------------------------------------------------------


def _upload(name="skan.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_resident_writes_to_office_with_attachment(resident_client, resident, premises):
    response = resident_client.post(
        "/korespondencja/wiadomosci/nowa/",
        {
            "premises": premises.pk,
            "subject": "Przeksięgowanie wpłaty",
            "body": "Proszę o przeksięgowanie nadpłaty.",
            "attachments": [_upload()],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Wiadomość została wysłana do biura." in page
    assert "Proszę o przeksięgowanie nadpłaty." in page
    assert "skan.pdf" in page
    thread = Thread.objects.get()
    assert (thread.author, thread.premises, thread.community) == (
        resident,
        premises,
        premises.building.community,
    )


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (_upload("faktura.pdf", b"MZ\x90\x00 not a pdf"), "nie jest dokumentem PDF"),
        (_upload("zdjecie.png", PDF_BYTES, "image/png"), "nie jest dokumentem PDF"),
        (_upload("program.exe", b"MZ\x90\x00"), "nie jest dokumentem PDF"),
        (_upload("duzy.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024 + 1)), "jest za duży"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_saved(resident_client, premises, upload, error):
    response = resident_client.post(
        "/korespondencja/wiadomosci/nowa/",
        {"premises": premises.pk, "subject": "T", "body": "B", "attachments": [upload]},
    )
    assert error in response.content.decode()
    assert not Thread.objects.exists()


def test_thread_form_requires_subject_and_body(resident_client, premises):
    response = resident_client.post("/korespondencja/wiadomosci/nowa/", {"premises": premises.pk})
    assert "Uzupełnij pole „Temat”." in response.content.decode()


def test_thread_form_refuses_someone_elses_premises(resident_client, stranger):
    other = stranger.ownerships.get().premises
    response = resident_client.post(
        "/korespondencja/wiadomosci/nowa/", {"premises": other.pk, "subject": "T", "body": "B"}
    )
    assert "Wybierz poprawną wartość" in response.content.decode()
    assert not Thread.objects.exists()


@pytest.fixture
def thread(resident, premises):
    from correspondence.services import thread_start

    return thread_start(
        user=resident,
        premises=premises,
        subject="Pytanie o rozliczenie",
        body="Dzień dobry",
        files=[_upload("pismo.pdf")],
    )


def test_office_reply_from_admin_appears_in_thread(
    admin_client, resident_client, thread, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/correspondence/thread/{thread.pk}/change/",
            {
                "status": "answered",
                "reply": "Rozliczenie wyślemy do końca miesiąca.",
                "messages-TOTAL_FORMS": "1",
                "messages-INITIAL_FORMS": "1",
                "messages-MIN_NUM_FORMS": "0",
                "messages-MAX_NUM_FORMS": "1000",
                "messages-0-id": thread.messages.get().pk,
                "messages-0-thread": thread.pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = resident_client.get(f"/korespondencja/wiadomosci/{thread.pk}/").content.decode()
    assert "Rozliczenie wyślemy do końca miesiąca." in page
    assert "Biuro" in page
    [email] = mail.outbox
    assert email.subject == "Odpowiedź biura: Pytanie o rozliczenie"


def test_resident_replies_in_thread(resident_client, thread):
    response = resident_client.post(
        f"/korespondencja/wiadomosci/{thread.pk}/", {"body": "Dziękuję."}, follow=True
    )
    assert "Dziękuję." in response.content.decode()
    thread.refresh_from_db()
    assert thread.status == Thread.Status.WAITING


@pytest.mark.parametrize("who", ["neighbour", "stranger"])
def test_other_resident_cannot_read_or_reply_to_thread(client, thread, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(f"/korespondencja/wiadomosci/{thread.pk}/").status_code == 404
    assert client.post(f"/korespondencja/wiadomosci/{thread.pk}/", {"body": "x"}).status_code == 404
    att = thread.messages.get().attachments.get()
    url = f"/korespondencja/wiadomosci/{thread.pk}/zalaczniki/{att.pk}/"
    assert client.get(url).status_code == 404
    assert thread.messages.count() == 1


def test_thread_attachment_downloads_for_author(resident_client, thread):
    att = thread.messages.get().attachments.get()
    response = resident_client.get(f"/korespondencja/wiadomosci/{thread.pk}/zalaczniki/{att.pk}/")
    assert b"".join(response.streaming_content) == PDF_BYTES


# --- Consents ---------------------------------------------------------------------------------


def test_owner_gives_and_withdraws_email_consent(resident_client, resident, premises):
    page = resident_client.get("/korespondencja/zgody/").content.decode()
    assert "Wyrażam zgodę na doręczanie mi korespondencji" in page
    key = f"email-{premises.pk}"
    response = resident_client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "email",
            f"{key}-address": "anna.nowak@example.com",
            f"{key}-agree": "on",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Przez najbliższe 14 dni korespondencja będzie jeszcze wysyłana pocztą" in page
    # Art. 111 §2 k.c.: the consent day is not counted.
    today = timezone.localdate()
    until = (today + datetime.timedelta(days=14)).strftime("%d.%m.%Y")
    start = (today + datetime.timedelta(days=15)).strftime("%d.%m.%Y")
    assert f"(do {until}), e-mailem od {start}." in page
    assert "anna.nowak@example.com" in page
    consent = DeliveryConsent.objects.get()
    assert consent.channel == "email" and consent.user == resident

    response = resident_client.post(f"/korespondencja/zgody/{consent.pk}/wycofaj/", follow=True)
    assert "Zgoda została wycofana." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert "Wycofane zgody" in response.content.decode()


def test_consent_form_errors_in_polish(resident_client, premises):
    key = f"sms-{premises.pk}"
    response = resident_client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "sms",
            f"{key}-address": "12",
        },
    )
    page = response.content.decode()
    assert "Podaj numer telefonu komórkowego" in page
    assert "Zaznacz, że wyrażasz zgodę." in page
    assert not DeliveryConsent.objects.exists()


def test_tenant_sees_why_and_cannot_post_consent(client, premises):
    tenant = UserFactory()
    OwnershipFactory(user=tenant, premises=premises, role=Ownership.Role.TENANT)
    client.force_login(tenant)
    page = client.get("/korespondencja/zgody/").content.decode()
    assert "Jako najemca nie możesz wyrazić zgody" in page
    key = f"email-{premises.pk}"
    response = client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "email",
            f"{key}-address": "t@example.com",
            f"{key}-agree": "on",
        },
        follow=True,
    )
    assert "Zgodę może wyrazić tylko właściciel" in response.content.decode()
    assert not DeliveryConsent.objects.exists()


@pytest.mark.parametrize("who", ["neighbour", "stranger"])
def test_other_resident_cannot_withdraw_or_use_anothers_premises(
    client, resident, premises, who, request
):
    consent = make_consent(user=resident, premises=premises)
    client.force_login(request.getfixturevalue(who))
    assert client.post(f"/korespondencja/zgody/{consent.pk}/wycofaj/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    key = f"email-{premises.pk}"
    client.post(
        "/korespondencja/zgody/",
        {
            "form_key": key,
            f"{key}-premises": premises.pk,
            f"{key}-channel": "email",
            f"{key}-address": "x@example.com",
            f"{key}-agree": "on",
        },
    )
    assert DeliveryConsent.objects.count() == 1


def test_withdraw_needs_post(resident_client, resident, premises):
    consent = make_consent(user=resident, premises=premises)
    assert resident_client.get(f"/korespondencja/zgody/{consent.pk}/wycofaj/").status_code == 405


def test_profile_links_to_consents(resident_client):
    page = resident_client.get("/profil/").content.decode()
    assert "E-doręczenia i SMS" in page
    assert 'href="/korespondencja/zgody/"' in page


@pytest.mark.parametrize("extra", [0, 15])
def test_thread_list_runs_fixed_number_of_queries(resident_client, resident, premises, extra):
    from correspondence.services import thread_start

    thread_start(user=resident, premises=premises, subject="Pierwsza", body="b")
    resident_client.get(
        "/korespondencja/wiadomosci/"
    )  # warms the cached company row, as every later request finds it
    baseline = count_queries(resident_client, "/korespondencja/wiadomosci/")
    for i in range(extra):
        thread_start(user=resident, premises=premises, subject=f"Wiadomość {i}", body="b")
    assert count_queries(resident_client, "/korespondencja/wiadomosci/") == baseline
    assert "Pierwsza" in resident_client.get("/korespondencja/wiadomosci/").content.decode()


def test_thread_form_prefills_subject_from_letter(resident_client):
    page = resident_client.get("/korespondencja/wiadomosci/nowa/?temat=Rozliczenie+wody").content
    assert 'value="Rozliczenie wody"' in page.decode()
