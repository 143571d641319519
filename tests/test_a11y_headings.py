"""Headings a screen-reader user jumps by (WCAG 1.3.1, 2.4.6): one h1 per page naming it,
no level skipped or flattened."""

import re

import pytest

from tests.factories import AnnouncementFactory, make_report

pytestmark = pytest.mark.django_db


def _headings(html: str) -> list[tuple[int, str]]:
    """(level, text) of every h1–h6, tags inside stripped, whitespace collapsed."""
    return [
        (int(level), " ".join(re.sub(r"<[^>]+>", "", text).split()))
        for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, re.S)
    ]


def test_premises_page_has_one_h1_naming_the_premises(resident_client, premises):
    name = f"{premises.building.street}, lokal {premises.number}"
    html = resident_client.get(f"/lokale/{premises.pk}/").content.decode()
    assert [text for level, text in _headings(html) if level == 1] == [name]
    # The list keeps its one h1 and a linked h2 per premises.
    html = resident_client.get("/lokale/").content.decode()
    assert [level for level, _ in _headings(html)].count(1) == 1
    assert (2, name) in _headings(html)
    assert f'<a href="/lokale/{premises.pk}/">{name}</a>' in html


def test_failure_page_has_one_h1_naming_the_report(resident_client, resident, building, premises):
    report = make_report(resident, building=building, premises=premises)
    html = resident_client.get(f"/awarie/{report.pk}/").content.decode()
    h1 = [text for level, text in _headings(html) if level == 1]
    assert h1 == [f"Zgłoszenie {report.number}"]
    html = resident_client.get("/awarie/").content.decode()
    assert (2, f"Zgłoszenie {report.number}") in _headings(html)


def test_announcements_are_nested_under_their_section_heading(resident_client, community):
    announcement = AnnouncementFactory(community=community, title="Przegląd kominiarski")
    headings = _headings(resident_client.get("/wspolnota/").content.decode())
    section = headings.index((3, "Ogłoszenia"))
    assert headings[section + 1][0] == 4
    assert headings[section + 1][1].startswith("Przegląd kominiarski")
    # On its own page the announcement's heading comes straight under the page's h1.
    html = resident_client.get(f"/wspolnota/ogloszenia/{announcement.pk}/").content.decode()
    assert [level for level, _ in _headings(html)][:2] == [1, 2]
