import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from documents.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% wniosek\n"


def test_resident_downloads_a_document(live_server, page, live_login, resident, community):
    document = Document(
        title="Wniosek o aktualizację danych kontaktowych", category=Document.Category.FORMS
    )
    document.file.save("w.pdf", ContentFile(PDF), save=False)
    document.save()

    live_login(resident)
    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Dokumenty").click()
    expect(page.get_by_role("heading", name="Wzory wniosków")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Wniosek o aktualizację danych kontaktowych").click()
    download = info.value
    assert download.suggested_filename == "Wniosek o aktualizację danych kontaktowych.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF
