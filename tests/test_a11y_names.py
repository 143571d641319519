"""Links and buttons repeated on a page are told apart by their accessible names (WCAG 2.4.4),
and each name starts with the visible text (2.5.3, voice control)."""

import datetime
import re

import pytest

from tests.factories import MeterFactory, ResolutionFactory, add_charge

pytestmark = pytest.mark.django_db

HIDDEN = '<span class="visually-hidden">'


def test_meter_list_links_name_their_meter(resident_client, premises):
    MeterFactory(premises=premises, serial_number="ZW-1")
    MeterFactory(premises=premises, serial_number="ZW-2")
    html = resident_client.get("/liczniki/").content.decode()
    for serial in ("ZW-1", "ZW-2"):
        assert re.search(rf'class="button">Dodaj odczyt{HIDDEN} – [^<]+ {serial}</span></a>', html)
        assert re.search(rf"Historia i zużycie{HIDDEN} – [^<]+ {serial}</span></a>", html)
        assert re.search(rf"<h3 [^>]*><a [^>]*>[^<]+{HIDDEN} {serial}</span></a>", html)


def test_vote_buttons_name_their_premises(resident_client, community, premises):
    community.voting_enabled = True
    community.save()
    resolution = ResolutionFactory(community=community)
    html = resident_client.get(f"/wspolnota/uchwaly/{resolution.pk}/").content.decode()
    assert (
        f'<button type="submit" class="button">Oddaj głos{HIDDEN} za lokal {premises.number}'
        "</span></button>"
    ) in html


ARROW_OUTSIDE_HIDDEN = re.compile(r'(?<!<span aria-hidden="true">)[«»]')


def test_back_and_next_arrows_are_not_read_aloud(resident_client, community, premises):
    """« and » only point the way: screen readers would read "cudzysłów" before the name."""
    ResolutionFactory(community=community)
    MeterFactory(premises=premises)
    for path in ("/wspolnota/", "/wspolnota/uchwaly/", f"/lokale/{premises.pk}/", "/awarie/zglos/"):
        html = resident_client.get(path).content.decode()
        assert "aria-hidden" in html and not ARROW_OUTSIDE_HIDDEN.search(html), path


def test_page_links_say_they_go_to_a_page(resident_client, premises):
    # "Następna" alone, read from a list of links, does not say next what (WCAG 2.4.4).
    for year in range(2021, 2026):
        for month in range(1, 13):
            add_charge(premises, "10.00", datetime.date(year, month, 10))
    html = resident_client.get("/finanse/?page=2").content.decode()
    links = re.findall(r'<a href="\?[^"]*page=\d+" rel="(prev|next)">(.*?)</a>', html)
    names = [(rel, re.sub(r"<span[^>]*>.*?</span>|\s+", " ", text).strip()) for rel, text in links]
    assert names == [
        ("prev", "Poprzednia strona"),
        ("next", "Następna strona"),
    ]


def _link_texts(html, href_part):
    links = re.findall(rf'<a href="[^"]*{href_part}[^"]*"[^>]*>(.*?)</a>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for text in links]


def test_download_links_say_the_file_type_and_size(resident_client, resident, premises, community):
    # A list of download links read out of context must still say what each file is
    # (WCAG 2.4.4); the size tells a resident on a phone what the download costs.
    from tests.correspondence.helpers import make_letter
    from tests.documents.test_documents import make_document

    make_document(title="Regulamin porządku", community=community)
    html = resident_client.get("/dokumenty/").content.decode()
    assert _link_texts(html, r"/dokumenty/\d") == ["Regulamin porządku (PDF)"]

    letter = make_letter(
        premises=premises, recipient=resident, attachment=("rozliczenie.pdf", b"%PDF" * 512)
    )
    html = resident_client.get(f"/korespondencja/pisma/{letter.pk}/").content.decode()
    assert _link_texts(html, "/zalaczniki/") == ["Pobierz rozliczenie.pdf (PDF, 2,0 KB)"]


def test_announcement_attachments_say_their_file_type(resident_client, community):
    from django.core.files.base import ContentFile

    from community.models import AnnouncementAttachment
    from tests.factories import AnnouncementFactory

    announcement = AnnouncementFactory(community=community, title="Przegląd kominiarski")
    AnnouncementAttachment.objects.create(
        announcement=announcement,
        name="Harmonogram przeglądów",
        file=ContentFile(b"%PDF-1.4\n", name="harmonogram.pdf"),
    )
    html = resident_client.get("/wspolnota/").content.decode()
    assert _link_texts(html, "/zalacznik") == ["Harmonogram przeglądów (PDF)"]
