"""A resident switches optional e-mail notifications off on /profil/; letters, the office's
answers and news of their own failure reports still come (the List-Unsubscribe link of the
optional ones leads to that switch)."""

import pytest
from django.core import mail

from notifications.models import Message
from notifications.services import notify

pytestmark = pytest.mark.django_db


def _switch_off(client, user):
    response = client.post("/profil/", {"email": user.email, "phone": str(user.phone or "")})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email_notifications is False


def test_profile_shows_the_switch_on_by_default(resident_client, resident):
    html = resident_client.get("/profil/").content.decode()
    assert "Wysyłaj mi powiadomienia e-mail" in html
    assert 'name="email_notifications"' in html and "checked" in html
    assert resident.email_notifications is True


def test_switched_off_optional_notices_go_by_no_e_mail(resident_client, resident, community):
    _switch_off(resident_client, resident)
    notify(
        user=resident,
        template="community/email/announcement",
        context={"announcement": type("A", (), {"title": "Przegląd"})(), "community": None},
    )
    assert not Message.objects.filter(channel="email").exists()


def test_answers_and_report_news_still_come(resident_client, resident, community):
    _switch_off(resident_client, resident)
    notify(
        user=resident,
        template="notifications/test",
        context={"text": "Odpowiedź"},
        unsubscribable=False,
    )
    assert Message.objects.filter(channel="email", recipient=resident).count() == 1


def test_switch_on_again(resident_client, resident):
    _switch_off(resident_client, resident)
    resident_client.post(
        "/profil/",
        {"email": resident.email, "phone": str(resident.phone or ""), "email_notifications": "on"},
    )
    resident.refresh_from_db()
    assert resident.email_notifications is True
    assert len(mail.outbox) == 0 or all("Przegląd" not in m.subject for m in mail.outbox)
