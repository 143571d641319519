"""Page titles a screen reader announces first on every page (WCAG 2.4.2)."""

import datetime
import re

import pytest
from django.template.loader import get_template

from tests.factories import add_charge
from tests.test_browser_a11y import _pages, resident_with_everything  # noqa: F401

pytestmark = pytest.mark.django_db


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


def test_reauthentication_error_title_says_error_once(resident_client):
    html = resident_client.post("/potwierdz-haslo/", {"password": "nie-to-haslo"}).content.decode()
    assert _title(html).startswith("Błąd: Potwierdź, że to Ty")
    assert _title(html).count("Błąd:") == 1


@pytest.mark.parametrize(
    "template",
    ["account/base_reauthenticate.html", "mfa/authenticate.html", "mfa/totp/activate_form.html"],
)
def test_allauth_page_titles_leave_the_error_prefix_to_the_layout(template):
    # base.html prefixes "Błąd:" to the title of every page with a form error; a page adding
    # its own made screen readers announce "Błąd: Błąd: …".
    source = get_template(template).template.source
    title_block = re.search(r"{% block title %}(.*?){% endblock %}", source, re.S).group(1)
    assert "Błąd:" not in title_block


def test_a_further_page_of_a_list_says_which_in_its_title(resident_client, premises):
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            add_charge(premises, "10.00", datetime.date(year, month, 10))
    first = resident_client.get("/finanse/").content.decode()
    second = resident_client.get("/finanse/?page=2").content.decode()
    assert _title(first) == "Finanse – Strefa Klienta"
    assert re.fullmatch(r"Finanse \(strona 2 z \d\) – Strefa Klienta", _title(second)), _title(
        second
    )


def test_every_page_title_names_the_page_first_then_the_portal(client, resident_with_everything):  # noqa: F811
    client.force_login(resident_with_everything["resident"])
    titles = {
        path: _title(client.get(path).content.decode()) for path in _pages(resident_with_everything)
    }
    assert [p for p, t in titles.items() if not t.endswith(" – Strefa Klienta")] == []
    # The portal's name comes last only: a page named after the portal tells nothing.
    assert [p for p, t in titles.items() if t.startswith("Strefa")] == []
    assert len(set(titles.values())) == len(titles), titles
