import pytest
from playwright.sync_api import expect

from correspondence.models import Letter, Thread

from .helpers import PDF_BYTES, make_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_opens_letter_downloads_attachment_and_writes_to_office(
    live_server, page, live_login, resident, premises, tmp_path
):
    letter = make_letter(
        premises=premises,
        recipient=resident,
        kind=Letter.Kind.SETTLEMENT,
        subject="Rozliczenie wody za 2025 rok",
        body="W załączeniu rozliczenie zużycia wody.",
        attachment=("rozliczenie-wody-2025.pdf", PDF_BYTES),
    )
    live_login(resident)
    page.get_by_role("navigation", name="Zakładki").get_by_role(
        "link", name="Korespondencja"
    ).click()
    expect(page.get_by_role("heading", name="Korespondencja", exact=True)).to_be_visible()
    expect(page.get_by_text("nowe", exact=True)).to_be_visible()
    page.get_by_role("link", name="Rozliczenie wody za 2025 rok").click()
    expect(page.get_by_text("W załączeniu rozliczenie zużycia wody.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Pobierz rozliczenie-wody-2025.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "rozliczenie-wody-2025.pdf"
    saved = tmp_path / "pobrane.pdf"
    download.save_as(saved)
    assert saved.read_bytes() == PDF_BYTES
    letter.refresh_from_db()
    assert letter.first_opened_at is not None

    page.get_by_role("link", name="Zapytaj biuro o to pismo").click()
    expect(page.get_by_label("Temat")).to_have_value("Rozliczenie wody za 2025 rok")
    page.get_by_label("Wiadomość", exact=True).fill("Proszę o wyjaśnienie pozycji za ciepłą wodę.")
    attachment = tmp_path / "odczyt.pdf"
    attachment.write_bytes(PDF_BYTES)
    page.get_by_label("Załączniki").set_input_files(str(attachment))
    page.get_by_role("button", name="Wyślij wiadomość").click()
    expect(page.get_by_text("Wiadomość została wysłana do biura.")).to_be_visible()
    expect(page.get_by_text("Proszę o wyjaśnienie pozycji za ciepłą wodę.")).to_be_visible()
    expect(page.get_by_role("link", name="odczyt.pdf")).to_be_visible()
    thread = Thread.objects.get()
    assert thread.subject == "Rozliczenie wody za 2025 rok"
    assert thread.messages.get().attachments.get().name == "odczyt.pdf"
