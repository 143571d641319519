import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_in_a_browser_without_csp_violations(live_server, page):
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    page.goto(f"{live_server.url}/api/docs/")
    # The operations come from /api/schema/, rendered by Swagger UI from the package.
    expect(page.get_by_text("/api/v1/communities/{community_id}/charges/batch/")).to_be_visible()
    expect(page.get_by_text("Strefa – API integracji")).to_be_visible()
    assert problems == []
