"""Office staff open residents' attachments in admin through the access-checked view."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from correspondence.models import ThreadAttachment
from correspondence.services import thread_start

from ..correspondence.helpers import PDF_BYTES, make_letter

pytestmark = pytest.mark.django_db


def attach(thread, name="Skan umowy.pdf", content=PDF_BYTES):
    return ThreadAttachment.objects.create(
        message=thread.messages.get(),
        file=ContentFile(content, name=name),
        name=name,
        size=len(content),
    )


@pytest.fixture
def thread(resident, premises):
    return thread_start(user=resident, premises=premises, subject="Umowa", body="W załączniku.")


@pytest.fixture
def foreign_thread(stranger):
    premises = stranger.ownerships.get().premises
    return thread_start(user=stranger, premises=premises, subject="Obce", body="Nie dla A.")


def file_url(obj, field="file"):
    return reverse("office_admin_file", args=[obj._meta.label_lower, obj.pk, field])


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_staff_open_a_residents_attachment_from_the_thread_page(staff_client, thread):
    attachment = attach(thread)
    page = staff_client.get(
        reverse("admin:correspondence_thread_change", args=[thread.pk])
    ).content.decode()
    url = file_url(attachment)
    assert f'<a href="{url}">Skan umowy.pdf</a>' in page
    assert "/media/" not in page
    response, body = download(staff_client, url)
    assert response.status_code == 200 and body == PDF_BYTES
    assert "filename*=UTF-8''Skan%20umowy.pdf" in response["Content-Disposition"]


def test_attachment_change_page_links_the_checked_view(staff_client, thread):
    attachment = attach(thread)
    page = staff_client.get(
        reverse("admin:correspondence_threadattachment_change", args=[attachment.pk])
    ).content.decode()
    assert file_url(attachment) in page and "/media/" not in page


def test_letter_attachment_inline_links_the_checked_view(staff_client, resident, premises):
    letter = make_letter(premises=premises, recipient=resident, attachment=("a.pdf", PDF_BYTES))
    attachment = letter.attachments.get()
    page = staff_client.get(
        reverse("admin:correspondence_letter_change", args=[letter.pk])
    ).content.decode()
    assert file_url(attachment) in page and "/media/" not in page
    response, body = download(staff_client, file_url(attachment))
    assert response.status_code == 200 and body == PDF_BYTES


def test_staff_of_another_community_get_404(staff_client, foreign_thread, stranger):
    attachment = attach(foreign_thread)
    letter = make_letter(
        premises=stranger.ownerships.get().premises,
        recipient=stranger,
        attachment=("b.pdf", PDF_BYTES),
    )
    for url in [file_url(attachment), file_url(letter.attachments.get())]:
        response, body = download(staff_client, url)
        assert response.status_code == 404, url
        assert PDF_BYTES not in body


def test_board_member_without_access_to_messages_gets_404(board_client, thread):
    response, body = download(board_client, file_url(attach(thread)))
    assert response.status_code == 404 and PDF_BYTES not in body


def test_resident_is_sent_to_the_admin_login(resident_client, thread):
    response = resident_client.get(file_url(attach(thread)))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "args",
    [
        ("correspondence.nothing", 1, "file"),
        ("correspondence.threadattachment", 1, "name"),
        ("correspondence.threadattachment", 999999, "file"),
        ("accounts.user", 1, "password"),
    ],
)
def test_crafted_file_urls_answer_404(staff_client, thread, args):
    attach(thread)
    assert staff_client.get(reverse("office_admin_file", args=args)).status_code == 404
