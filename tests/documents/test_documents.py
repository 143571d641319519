import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from documents.validators import validate_document_file
from tests.utils import count_queries

PDF = b"%PDF-1.4\n% test document\n"


def make_document(*, title, community=None, category=Document.Category.OTHER, published_on=None):
    document = Document(
        title=title,
        community=community,
        category=category,
        published_on=published_on or datetime.date(2025, 1, 1),
    )
    document.file.save("x.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


@pytest.fixture
def stranger_community(stranger):
    return stranger.ownerships.get().premises.building.community


def test_list_shows_own_and_global_documents_by_category_newest_first(
    resident_client, community, stranger_community
):
    make_document(
        title="Plan 2025",
        community=community,
        category="plany",
        published_on=datetime.date(2024, 12, 1),
    )
    make_document(
        title="Plan 2026",
        community=community,
        category="plany",
        published_on=datetime.date(2025, 12, 1),
    )
    make_document(title="Regulamin Strefy", category="regulamin")
    make_document(title="Wniosek o aktualizację danych kontaktowych", category="wzory")
    make_document(title="Plan obcej wspólnoty", community=stranger_community, category="plany")

    content = resident_client.get("/dokumenty/").content.decode()

    assert "Wniosek o aktualizację danych kontaktowych" in content
    assert "Plan obcej wspólnoty" not in content
    # Categories in their declared order, newest first inside a category.
    positions = [content.index(t) for t in ("Regulaminy", "Wzory wniosków", "Plany gospodarcze")]
    assert positions == sorted(positions)
    assert content.index("Plan 2026") < content.index("Plan 2025")
    assert "dokument ogólny" in content


def test_list_hides_documents_published_in_the_future(resident_client, community):
    make_document(
        title="Jutrzejszy",
        community=community,
        published_on=datetime.date.today() + datetime.timedelta(days=2),
    )
    content = resident_client.get("/dokumenty/").content.decode()
    assert "Jutrzejszy" not in content
    assert "Nie ma jeszcze żadnych dokumentów" in content


def test_download_serves_the_file_as_attachment(resident_client, community):
    document = make_document(title="Regulamin porządku", community=community)
    response = resident_client.get(f"/dokumenty/{document.pk}/pobierz/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "Regulamin%20porz%C4%85dku.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_document_of_another_community_answers_404(client, stranger, community):
    document = make_document(title="Tylko nasza", community=community)
    client.force_login(stranger)
    assert client.get(f"/dokumenty/{document.pk}/pobierz/").status_code == 404
    assert "Tylko nasza" not in client.get("/dokumenty/").content.decode()


def test_neighbour_in_same_community_can_download(client, neighbour, community):
    document = make_document(title="Wspólny", community=community)
    client.force_login(neighbour)
    response = client.get(f"/dokumenty/{document.pk}/pobierz/")
    assert b"".join(response.streaming_content) == PDF


def test_anonymous_is_sent_to_login(client, community):
    document = make_document(title="Wspólny", community=community)
    response = client.get(f"/dokumenty/{document.pk}/pobierz/")
    assert response.status_code == 302
    assert "/logowanie/" in response["Location"]


@pytest.mark.parametrize("count", [1, 12])
def test_list_runs_fixed_number_of_queries(resident_client, community, count):
    for i in range(count):
        make_document(
            title=f"Dokument {i}", community=community, category=list(Document.Category)[i % 6]
        )
    make_document(title="Ogólny")
    # the session with its user, count for pagination, the documents (with their community), the
    # company in the footer.
    assert count_queries(resident_client, "/dokumenty/") == 4


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("wniosek.pdf", b"MZ\x90\x00 not a pdf"),
        ("wniosek.exe", b"MZ\x90\x00"),
        ("wniosek.docx", b"%PDF-1.4"),
    ],
)
def test_upload_that_is_not_what_it_claims_is_refused(name, content):
    with pytest.raises(ValidationError):
        validate_document_file(SimpleUploadedFile(name, content))


def test_real_pdf_upload_is_accepted():
    validate_document_file(SimpleUploadedFile("wniosek.pdf", PDF))


def test_board_member_cannot_add_a_global_document(client, community, db):
    from documents.admin import DocumentAdminForm
    from tests.factories import UserFactory

    board = UserFactory(is_staff=True)
    form = DocumentAdminForm(
        data={"title": "Ogólny", "category": "inne", "published_on": "2025-01-01"},
        files={"file": SimpleUploadedFile("a.pdf", PDF)},
        user=board,
    )
    assert not form.is_valid()
    assert "administrator" in str(form.errors["community"])
