"""Every resident page and each form's error state passes axe-core (WCAG 2.1 A/AA) at 360 px
and 1280 px, and nothing is wider than a phone screen."""

import datetime

import pytest
from django.utils import timezone

from correspondence.services import thread_start
from finance.models import Charge, FundAccount
from tests.a11y import DESKTOP, PHONE, axe_violations, horizontal_overflow
from tests.correspondence.helpers import make_letter
from tests.factories import (
    AnnouncementFactory,
    MeterFactory,
    ResolutionFactory,
    add_charge,
    add_payment,
    make_report,
    monthly_readings,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe-core is injected into the page; the portal's strict CSP would block it.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def resident_with_everything(resident, premises, building, community, monkeypatch):
    # A day inside the meter-reading window, so the reading form is open.
    day = datetime.date(2026, 1, 25)
    original = timezone.localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: day if value is None else original(value, timezone),
    )
    community.voting_enabled = True
    community.save()
    FundAccount.objects.create(
        community=community, fund="repair", bank_account="27114020040000300201355387"
    )
    add_charge(premises, "350.27", datetime.date(2025, 4, 10), title="Zaliczka 04/2025")
    add_charge(premises, "80.00", datetime.date(2025, 4, 10), category=Charge.Category.REPAIR_FUND)
    add_payment(premises, "200.00", datetime.date(2025, 4, 12), title="Przelew za kwiecień")
    meter = MeterFactory(premises=premises, serial_number="ZW-12345", location="łazienka")
    monthly_readings(meter, months=14, last=datetime.date(2026, 1, 25))
    report = make_report(resident, building=building, premises=premises)
    letter = make_letter(premises=premises, recipient=resident, subject="Zawiadomienie")
    thread = thread_start(user=resident, premises=premises, subject="Woda", body="Pytanie.")
    AnnouncementFactory(community=community, title="Przegląd kominiarski")
    resolution = ResolutionFactory(community=community, title="W sprawie remontu dachu")
    return {
        "resident": resident,
        "meter": meter,
        "report": report,
        "letter": letter,
        "thread": thread,
        "resolution": resolution,
    }


def _pages(data):
    meter, resolution = data["meter"].pk, data["resolution"].pk
    return [
        "/",
        "/finanse/",
        "/lokale/",
        "/liczniki/",
        f"/liczniki/{meter}/",
        f"/liczniki/{meter}/dodaj-odczyt/",
        "/awarie/",
        "/awarie/zglos/",
        f"/awarie/{data['report'].pk}/",
        "/korespondencja/",
        f"/korespondencja/pisma/{data['letter'].pk}/",
        "/korespondencja/wiadomosci/",
        "/korespondencja/wiadomosci/nowa/",
        f"/korespondencja/wiadomosci/{data['thread'].pk}/",
        "/korespondencja/zgody/",
        "/wspolnota/",
        "/wspolnota/uchwaly/",
        f"/wspolnota/uchwaly/{resolution}/",
        "/dokumenty/",
        "/profil/",
        "/profil/haslo/",
        "/profil/rezygnacja/",
        "/potwierdz-haslo/",
        "/o-aplikacji/",
        "/deklaracja-dostepnosci/",
        "/nie-ma-takiej-strony/",
    ]


def _check(page, url, problems):
    for name, viewport in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        page.reload()
        problems.extend(f"{url} @{name}: {v}" for v in axe_violations(page))
        if name == "360" and horizontal_overflow(page):
            problems.append(f"{url} @360: wider than the screen")


def test_every_resident_page_passes_axe_on_phone_and_desktop(
    live_server, page, live_login, resident_with_everything
):
    live_login(resident_with_everything["resident"])
    problems = []
    for path in _pages(resident_with_everything):
        page.goto(f"{live_server.url}{path}")
        _check(page, path, problems)
    assert problems == []


def test_every_form_error_state_passes_axe(live_server, page, live_login, resident_with_everything):
    live_login(resident_with_everything["resident"])
    resolution = resident_with_everything["resolution"].pk
    meter = resident_with_everything["meter"].pk
    thread = resident_with_everything["thread"].pk
    problems = []
    forms = [
        ("/korespondencja/wiadomosci/nowa/", "Wyślij wiadomość"),
        (f"/korespondencja/wiadomosci/{thread}/", "Wyślij odpowiedź"),
        ("/korespondencja/zgody/", "Wyrażam zgodę"),
        (f"/liczniki/{meter}/dodaj-odczyt/", "Zapisz odczyt"),
        ("/awarie/zglos/", "Wyślij zgłoszenie"),
        ("/profil/haslo/", "Zmień hasło"),
        (f"/wspolnota/uchwaly/{resolution}/", "Oddaj głos"),
    ]
    for path, button in forms:
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}{path}")
        buttons = page.get_by_role("button", name=button)
        if not buttons.count():
            problems.append(f"{path}: no button {button!r}")
            continue
        page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
        buttons.first.click()
        page.wait_for_load_state()
        assert page.title().startswith("Błąd:"), (path, page.title())
        # The summary has focus, so a phone shows it and a screen reader reads it.
        assert page.evaluate("document.activeElement.matches('[data-error-summary]')"), path
        for name, viewport in (("360", PHONE), ("1280", DESKTOP)):
            page.set_viewport_size(viewport)
            problems.extend(f"{path} (błąd) @{name}: {v}" for v in axe_violations(page))
    assert problems == []


def test_axe_helper_reports_a_real_violation(page):
    page.set_content(
        '<html lang="pl"><head><title>T</title></head><body><img src="x.png"></body></html>'
    )
    assert any(line.startswith("image-alt") for line in axe_violations(page))
