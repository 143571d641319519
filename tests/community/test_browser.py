import pytest
from playwright.sync_api import expect

from community.models import Vote
from tests.factories import OwnershipFactory, PremisesFactory, ResolutionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_opens_resolution_votes_and_sees_tally_change(
    live_server, page, live_login, resident, premises, community, building
):
    community.voting_enabled = True
    community.save()
    # The resident holds 5 000 / 100 000; a neighbour the remaining 95 000.
    OwnershipFactory(
        user=UserFactory(),
        premises=PremisesFactory(building=building, number="2", share_numerator=95_000),
    )
    resolution = ResolutionFactory(community=community, title="W sprawie remontu dachu")

    live_login(resident)
    page.get_by_role("navigation", name="Zakładki").get_by_role("link", name="Wspólnota").click()
    expect(page.get_by_text("czeka na Twój głos")).to_be_visible()
    page.get_by_role("link", name="W sprawie remontu dachu").click()

    expect(page.get_by_role("heading", name=f"Uchwała nr {resolution.number}")).to_be_visible()
    for_cell = page.locator('[data-tally="for"]')
    expect(for_cell).to_have_text("0,00%")

    page.get_by_label("za", exact=True).check()
    page.get_by_role("button", name="Oddaj głos").click()

    expect(page.get_by_text("Kod potwierdzenia:").first).to_be_visible()
    expect(for_cell).to_have_text("5,00%")
    expect(page.locator('[data-tally="none"]')).to_have_text("95,00%")
    vote = Vote.objects.get()
    expect(page.get_by_text(vote.receipt_code).first).to_be_visible()

    page.get_by_label("przeciw", exact=True).check()
    page.get_by_role("button", name="Zmień głos").click()
    expect(page.locator('[data-tally="against"]')).to_have_text("5,00%")
    expect(for_cell).to_have_text("0,00%")


def test_community_pages_fit_a_phone_screen(
    live_server, page, live_login, resident, premises, community
):
    community.voting_enabled = True
    community.save()
    resolution = ResolutionFactory(community=community)
    page.set_viewport_size({"width": 360, "height": 740})
    live_login(resident)
    for path in ("/wspolnota/", f"/wspolnota/uchwaly/{resolution.pk}/", "/dokumenty/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, path
