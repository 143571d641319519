"""One form error pattern (GOV.UK error summary and error message) on every resident form."""

import re

import pytest

from tests.factories import ResolutionFactory

pytestmark = pytest.mark.django_db


def _summary(html):
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</ul>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_thread_form_errors_summary_title_and_specific_messages(resident_client, premises):
    response = resident_client.post("/korespondencja/wiadomosci/nowa/", {"premises": premises.pk})
    html = response.content.decode()
    assert re.search(r"<title>Błąd: [^<]*</title>", html)
    summary = _summary(html)
    assert 'data-error-summary tabindex="-1"' in summary
    assert '<a href="#id_subject">Uzupełnij pole „Temat”.</a>' in summary
    assert "To pole jest wymagane." not in html
    # The same message under the field, announced as an error, and the input points at it.
    assert (
        '<p class="error-message" id="id_subject_error">'
        '<span class="visually-hidden">Błąd:</span> Uzupełnij pole „Temat”.</p>'
    ) in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_subject"', html) or re.search(
        r'<input[^>]*id="id_subject"[^>]*aria-invalid="true"', html
    )
    # The summary comes before the page heading.
    assert html.index("error-summary") < html.index("<h1")


def test_page_without_errors_has_no_summary_and_plain_title(resident_client, premises):
    html = resident_client.get("/korespondencja/wiadomosci/nowa/").content.decode()
    assert "error-summary" not in html
    assert "<title>Błąd:" not in html


def test_labels_have_no_colon_and_optional_fields_are_marked(resident_client):
    html = resident_client.get("/profil/").content.decode()
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    assert labels
    assert not [label for label in labels if label.strip().endswith(":")]
    assert '<span class="optional">(opcjonalnie)</span>' in html


def test_error_summary_script_is_an_external_file(resident_client):
    html = resident_client.get("/").content.decode()
    assert '<script src="/static/js/strefa.js" defer></script>' in html
    assert "<script>" not in html


def test_vote_error_is_summarised_and_legends_name_the_premises(
    resident_client, community, premises
):
    community.voting_enabled = True
    community.save()
    resolution = ResolutionFactory(community=community)
    url = f"/wspolnota/uchwaly/{resolution.pk}/"
    html = resident_client.get(url).content.decode()
    street = premises.building.street
    assert f"<legend>Oddaj głos za lokal {premises.number}, {street}</legend>" in html
    html = resident_client.post(url, {"premises": premises.pk}).content.decode()
    assert "<title>Błąd: " in html
    summary = _summary(html)
    assert '<a href="#id_choice_0">Wybierz: za, przeciw albo wstrzymuję się.</a>' in summary
