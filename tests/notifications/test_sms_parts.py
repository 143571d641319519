"""SMS: the cap counts parts that really go out; retries cannot send twice."""

import pytest
from smsapi.exception import SendException

from correspondence.models import SmsNotice
from notifications.models import Message
from notifications.services import message_queue
from notifications.sms import MemorySmsBackend, SmsApiBackend


@pytest.fixture(autouse=True)
def _clean_sms_outbox():
    MemorySmsBackend.outbox.clear()
    MemorySmsBackend.idxs.clear()


def test_polish_sms_is_cut_to_three_real_parts(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(
            channel="sms", to_address="601200300", body="Ścieki " * 70, community=community
        )
    [(_, text)] = MemorySmsBackend.outbox
    assert len(text) <= 201  # 3 × 67 with Polish letters, not 459
    assert text.startswith("Ścieki Ścieki")
    message.refresh_from_db()
    assert message.body == text


def test_community_with_transliteration_sends_plain_letters(
    community, django_capture_on_commit_callbacks
):
    community.sms_transliterate = True
    community.save()
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(
            channel="sms",
            to_address="601200300",
            body="Awaria wody: ul. Źródlana, zamknięte zawory. " * 12,
            community=community,
        )
    [(_, text)] = MemorySmsBackend.outbox
    assert text.startswith("Awaria wody: ul. Zrodlana, zamkniete zawory.")
    assert 400 < len(text) <= 459


def test_each_sms_carries_its_idempotency_key(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_queue(channel="sms", to_address="601200300", body="Test")
    assert MemorySmsBackend.idxs == [f"strefa-{message.pk}"]


class _DuplicateIdxClient:
    """SMSAPI after a crash: the first attempt went out, the retry's idx is refused."""

    def __init__(self):
        self.sms = self
        self.calls = []

    def send(self, **params):
        self.calls.append(params)
        raise SendException("Not unique idx parameter", 53)


def test_retry_after_crash_is_not_sent_twice_by_smsapi():
    client = _DuplicateIdxClient()
    assert SmsApiBackend(client=client).send(to="601200300", text="x", idx="strefa-9") == (
        "idx:strefa-9"
    )
    assert client.calls[0]["check_idx"] == 1


def test_gateway_url_is_configurable(settings):
    settings.SMSAPI_TOKEN = "t"
    settings.SMSAPI_URL = "https://sms-gateway.example.pl/api/"
    assert SmsApiBackend().client.domain == "https://sms-gateway.example.pl/api/"


@pytest.fixture
def sms_community(community):
    community.sms_enabled = True
    community.save()
    return community


def test_admin_refuses_polish_notice_over_three_real_parts(admin_client, sms_community):
    response = admin_client.post(
        "/admin/correspondence/smsnotice/add/",
        {"community": sms_community.pk, "kind": "failure", "text": "Woda będzie wyłączona. " * 10},
    )
    content = response.content.decode()
    assert "Ten SMS zająłby 4 części (UCS-2, 67 znaków na część)" in content
    assert not SmsNotice.objects.exists()


def test_admin_shows_real_number_of_parts(admin_client, sms_community):
    SmsNotice.objects.create(community=sms_community, kind="failure", text="Brak wody. " * 10)
    message_queue(channel="sms", to_address="601200300", body="Brak wody " * 10)
    notices = admin_client.get("/admin/correspondence/smsnotice/").content.decode()
    assert "2 (UCS-2)" not in notices and "1 (GSM)" in notices
    SmsNotice.objects.update(text="Brak ciepłej wody. " * 5)
    notices = admin_client.get("/admin/correspondence/smsnotice/").content.decode()
    assert "2 (UCS-2)" in notices
    outbox = admin_client.get("/admin/notifications/message/").content.decode()
    assert "1 (GSM)" in outbox
    assert Message.objects.count() == 1
