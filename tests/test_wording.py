"""Polish wording residents read: greetings, neutral forms, names, one term per thing."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from premises.models import Community

from .factories import PASSWORD, OwnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_emails_greet_without_a_guessed_vocative():
    bodies = list(Path(".").glob("*/templates/**/*body*.txt"))
    bodies += list(Path("templates").glob("**/email/*.txt"))
    assert len(bodies) >= 8
    offenders = [str(p) for p in bodies if "Dzień dobry {{" in p.read_text()]
    assert offenders == []


def test_password_reset_mail_is_gender_neutral():
    text = render_to_string(
        "account/email/password_reset_key_message.txt", {"password_reset_url": "http://x/"}
    )
    assert "prosiłeś" not in text
    assert "Jeśli prośba o zmianę hasła nie pochodzi od Ciebie" in text


def test_login_message_names_the_person_not_the_login(client, resident):
    response = client.post(
        "/logowanie/", {"login": resident.username, "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Zalogowano jako Anna Nowak." in page
    assert f"Zalogowano jako {resident.username}" not in page


def test_consent_text_shows_the_real_address(resident_client, resident, premises):
    resident.email = "anna.nowak@example.com"
    resident.save()
    page = resident_client.get("/korespondencja/zgody/").content.decode()
    assert "[podany adres]" not in page and "[podany numer]" not in page
    assert "na adres anna.nowak@example.com" in page or "anna.nowak@example.com" in page


def test_password_confirmation_page_is_in_the_portal_look(resident_client):
    page = resident_client.get("/potwierdz-haslo/").content.decode()
    assert '<div class="card card--narrow">' in page
    assert "<h1>Potwierdź, że to Ty</h1>" in page
    assert '<label for="id_password">Hasło</label>' in page
    assert "Zapomniałeś" not in page and "Wprowadż" not in page


def test_two_step_login_has_one_name():
    with translation.override("pl"):
        assert gettext("Two-Factor Authentication") == "Logowanie dwuetapowe"
        assert "dwuetapow" in gettext("You cannot deactivate two-factor authentication.")
        assert gettext("Forgot your password?") == "Nie pamiętasz hasła?"


def test_cooperative_member_sees_spoldzielnia_tab(client, company):
    from tests.factories import BuildingFactory, CommunityFactory, PremisesFactory

    coop = CommunityFactory(company=company, kind=Community.Kind.COOPERATIVE, name="SM Słoneczna")
    member = UserFactory(first_name="Zofia", last_name="Kamińska")
    OwnershipFactory(
        user=member, premises=PremisesFactory(building=BuildingFactory(community=coop))
    )
    client.force_login(member)
    page = client.get("/").content.decode()
    assert re.search(r'href="/wspolnota/"\s*>Spółdzielnia</a>', page)
    assert not re.search(r">Wspólnota</a>", page)


def test_housing_community_owner_keeps_wspolnota_tab(resident_client):
    page = resident_client.get("/").content.decode()
    assert re.search(r'href="/wspolnota/"\s*>Wspólnota</a>', page)
