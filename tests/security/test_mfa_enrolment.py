"""Two-factor login can be switched on by anyone, through the pages, in Polish."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from ..factories import PASSWORD
from .helpers import totp_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/profil/weryfikacja-dwuetapowa/totp/activate/"
ENGLISH_OR_OTHER_NAMES = [
    "Two-Factor",
    "Authenticator app",
    "Authenticator code",
    "dwuskładnikow",
    "Weryfikacja dwuetapowa",
    "autoryzac",
]


def _activate_through_pages(client, user) -> str:
    response = client.get(ACTIVATE)
    assert response.status_code == 302
    assert response["Location"].startswith("/potwierdz-haslo/")
    confirm = client.get(response["Location"]).content.decode()
    assert "Potwierdź, że to Ty" in confirm
    assert 'class="site-header"' in confirm

    wrong = client.post(response["Location"], {"password": "zle-haslo-123"})
    assert "Potwierdź, że to Ty" in wrong.content.decode()
    ok = client.post(response["Location"], {"password": PASSWORD})
    assert ok["Location"] == ACTIVATE

    page = client.get(ACTIVATE).content.decode()
    assert "Włącz logowanie dwuetapowe" in page
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'<code id="totp-secret" class="totp-secret">(\w+)</code>', page).group(1)

    wrong = client.post(ACTIVATE, {"code": "000000"}).content.decode()
    assert "Kod jest nieprawidłowy albo wygasł" in wrong
    assert not Authenticator.objects.filter(user=user).exists()

    # The success message is added after commit; the browser test sees it.
    done = client.post(ACTIVATE, {"code": totp_code(secret)}, follow=True)
    content = done.content.decode()
    assert "Kody zapasowe" in content
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return secret


def test_resident_who_asked_for_a_password_reset_switches_two_factor_login_on(client, resident):
    # The mail goes through the outbox: it is sent after the request's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/nie-pamietam-hasla/", {"login": resident.username, "email": resident.email})
    assert len(mail.outbox) == 1
    # The reset request leaves an unverified e-mail row, which used to block enrolment.
    EmailAddress.objects.get_or_create(
        user=resident, email=resident.email, defaults={"verified": False}
    )
    client.force_login(resident)
    _activate_through_pages(client, resident)


def test_resident_with_a_verified_address_switches_two_factor_login_on(client, resident):
    EmailAddress.objects.create(user=resident, email=resident.email, verified=True, primary=True)
    client.force_login(resident)
    _activate_through_pages(client, resident)


def test_reauthentication_code_routes_exist_and_are_not_a_way_in(resident_client):
    url = reverse("account_request_reauthentication_code")
    assert resident_client.get(url).status_code == 403
    assert resident_client.get(reverse("account_confirm_reauthentication_code")).status_code in (
        302,
        403,
    )


def test_two_factor_pages_use_one_polish_name_in_the_portal_layout(resident_client, resident):
    pages = ["/profil/", "/profil/weryfikacja-dwuetapowa/"]
    for path in pages:
        content = resident_client.get(path).content.decode()
        assert "Logowanie dwuetapowe" in content, path
        assert 'class="site-header"' in content, path
        for other in ENGLISH_OR_OTHER_NAMES:
            assert other not in content, (path, other)


def test_code_page_at_login_is_polish(client, resident):
    from .helpers import totp_enable

    totp_enable(resident)
    response = client.post(
        "/logowanie/", {"login": resident.username, "password": PASSWORD}, follow=True
    )
    content = response.content.decode()
    assert "Twoje konto chroni logowanie dwuetapowe" in content
    assert "Kod z aplikacji uwierzytelniającej" in content
    for other in ENGLISH_OR_OTHER_NAMES:
        assert other not in content, other
    wrong = client.post("/profil/weryfikacja-dwuetapowa/authenticate/", {"code": "123456"})
    assert "Kod jest nieprawidłowy albo wygasł" in wrong.content.decode()
