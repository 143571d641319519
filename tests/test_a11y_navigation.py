"""Navigation says where the resident is (WCAG 2.4.8 / ARIA aria-current): "page" on the link
to this very page, "true" on the tab of the section a sub-page belongs to."""

import re

import pytest

from tests.factories import make_report

pytestmark = pytest.mark.django_db


def _current(html):
    links = re.findall(r'<a href="([^"]*)"[^>]*aria-current="(\w+)"[^>]*>([^<]*)', html)
    return {text.strip(): value for _, value, text in links}


def test_the_tab_of_a_sub_page_is_the_current_section_not_the_current_page(
    resident_client, resident, building, premises
):
    report = make_report(resident, building=building, premises=premises)
    assert _current(resident_client.get("/awarie/").content.decode()) == {"Awarie": "page"}
    for path in ("/awarie/zglos/", f"/awarie/{report.pk}/"):
        assert _current(resident_client.get(path).content.decode()) == {"Awarie": "true"}, path


def test_correspondence_sub_navigation_marks_page_and_section(resident_client, premises):
    assert _current(resident_client.get("/korespondencja/wiadomosci/").content.decode()) == {
        "Korespondencja": "true",
        "Wiadomości do biura": "page",
    }
    assert _current(resident_client.get("/korespondencja/wiadomosci/nowa/").content.decode()) == {
        "Korespondencja": "true",
        "Wiadomości do biura": "true",
    }


def test_footer_links_mark_the_page_they_lead_to(resident_client):
    assert _current(resident_client.get("/o-aplikacji/").content.decode()) == {
        "O aplikacji": "page"
    }
    assert _current(resident_client.get("/deklaracja-dostepnosci/").content.decode()) == {
        "Deklaracja dostępności": "page"
    }


def test_the_current_section_looks_current_on_its_sub_pages_too():
    # The highlight follows aria-current of any value, so a sub-page's tab stays highlighted.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = [*root.glob("static/**/*.css"), *root.glob("*/static/**/*.css")]
    css = [p for p in found if "node_modules" not in p.parts]
    assert css
    assert [str(p) for p in css if 'aria-current="page"]' in p.read_text()] == []
