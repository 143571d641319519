"""Security review: every resident URL is behind login and scoped to the person's premises.

The generic tests walk the URL patterns of every resident namespace, so a URL added later is
covered automatically; a new URL that takes ids must get an entry in ``URL_KWARGS`` (the test
fails until it has one).
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from community.models import AnnouncementRead, Vote
from community.selectors import (
    announcement_attachments_for_user,
    announcements_for_user,
    resolutions_for_user,
)
from correspondence.models import (
    DeliveryConsent,
    LetterAttachment,
    LetterOpening,
    ThreadAttachment,
    ThreadMessage,
)
from correspondence.selectors import consents_for_user, letters_for_user, threads_for_user
from documents.selectors import documents_for_user
from failures.models import FailurePhoto, FailureReport
from failures.selectors import failures_for_user
from meters.models import Reading
from meters.selectors import meters_for_user, readings_for_user
from premises.models import Ownership
from premises.selectors import premises_for_user

pytestmark = pytest.mark.django_db

RESIDENT_NAMESPACES = [
    "finance",
    "premises",
    "meters",
    "failures",
    "correspondence",
    "community",
    "documents",
    "accounts",
]
ANNA, MAREK, ZOFIA = "10000001", "10000003", "10000004"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"  # a marker

# url name -> kwargs from Anna's objects (see the ``anna`` fixture).
URL_KWARGS = {
    "premises:detail": lambda d: {"pk": d["premises"].pk},
    "finance:statement": lambda d: {"pk": d["premises"].pk},
    "meters:detail": lambda d: {"pk": d["meter"].pk},
    "meters:reading_add": lambda d: {"pk": d["meter"].pk},
    "meters:reading_correct": lambda d: {"pk": d["reading"].pk},
    "meters:reading_photo": lambda d: {"pk": d["reading"].pk},
    "meters:reading_thumbnail": lambda d: {"pk": d["reading"].pk},
    "failures:detail": lambda d: {"pk": d["failure_photo"].report_id},
    "failures:photo": lambda d: {
        "pk": d["failure_photo"].report_id,
        "photo_pk": d["failure_photo"].pk,
    },
    "failures:thumbnail": lambda d: {
        "pk": d["failure_photo"].report_id,
        "photo_pk": d["failure_photo"].pk,
    },
    "correspondence:letter": lambda d: {"pk": d["letter_attachment"].letter_id},
    "correspondence:letter_attachment": lambda d: {
        "pk": d["letter_attachment"].letter_id,
        "attachment_pk": d["letter_attachment"].pk,
    },
    "correspondence:thread": lambda d: {"pk": d["thread_attachment"].message.thread_id},
    "correspondence:thread_attachment": lambda d: {
        "pk": d["thread_attachment"].message.thread_id,
        "attachment_pk": d["thread_attachment"].pk,
    },
    "correspondence:consent_withdraw": lambda d: {"pk": d["consent"].pk},
    "community:announcement_detail": lambda d: {"pk": d["announcement"].pk},
    "community:announcement_attachment": lambda d: {"pk": d["announcement_attachment"].pk},
    "community:resolution_detail": lambda d: {"pk": d["resolution"].pk},
    "community:resolution_receipt": lambda d: {"pk": d["resolution"].pk},
    "community:resolution_pdf": lambda d: {"pk": d["resolution"].pk},
    "documents:download": lambda d: {"pk": d["document"].pk},
}
# Views that only take POST (GET answers 405 for everybody).
POST_ONLY = {"correspondence:consent_withdraw"}


def resident_urls():
    """(name, converter kwarg names) of every URL in the resident namespaces."""
    resolver = get_resolver()
    found = []
    for namespace in RESIDENT_NAMESPACES:
        _prefix, sub = resolver.namespace_dict[namespace]
        stack = list(sub.url_patterns)
        while stack:
            pattern = stack.pop()
            if isinstance(pattern, URLPattern):
                converters = getattr(pattern.pattern, "converters", {})
                found.append((f"{namespace}:{pattern.name}", sorted(converters)))
            else:  # a nested include
                stack.extend(pattern.url_patterns)
    return found


@pytest.fixture
def anna(demo):
    """The demo data, plus the few files the demo does not create, all reachable by Anna."""
    user = User.objects.get(username=ANNA)
    reading = readings_for_user(user).current().filter(submitted_by=user).latest("read_on")
    reading.photo = ContentFile(JPEG, name="photo.jpg")
    reading.thumbnail = ContentFile(JPEG, name="thumb.jpg")
    reading.save(update_fields=["photo", "thumbnail"])
    thread = threads_for_user(user).first()
    message = thread.messages.order_by("pk").first()
    thread_attachment = ThreadAttachment.objects.create(
        message=message, file=ContentFile(PDF, name="umowa.pdf"), name="umowa.pdf", size=len(PDF)
    )
    resolution = resolutions_for_user(user).order_by("pk").first()
    if not resolution.pdf:
        resolution.pdf = ContentFile(PDF, name="uchwala.pdf")
        resolution.save(update_fields=["pdf"])
    data = {
        "user": user,
        "premises": premises_for_user(user).get(number="12"),
        "meter": meters_for_user(user).first(),
        "reading": reading,
        "failure_photo": FailurePhoto.objects.filter(
            report__in=failures_for_user(user).order_by()
        ).first(),
        "letter_attachment": LetterAttachment.objects.filter(
            letter__in=letters_for_user(user).order_by()
        ).first(),
        "thread_attachment": thread_attachment,
        "consent": consents_for_user(user).filter(withdrawn_at=None).first(),
        "announcement": announcements_for_user(user).first(),
        "announcement_attachment": announcement_attachments_for_user(user).first(),
        "resolution": resolution,
        "document": documents_for_user(user).filter(community__isnull=False).first(),
    }
    missing = [key for key, value in data.items() if value is None]
    assert not missing, f"the demo data has no {missing} for Anna"
    return data


def state():
    """What a forged POST could change."""
    return (
        Reading.objects.count(),
        Vote.objects.count(),
        ThreadMessage.objects.count(),
        FailureReport.objects.count(),
        DeliveryConsent.objects.filter(withdrawn_at=None).count(),
        LetterOpening.objects.count(),
        AnnouncementRead.objects.count(),
    )


def forged_post(anna):
    return {
        "value": "99999",
        "read_on": timezone.localdate().isoformat(),
        "confirmed": "on",
        "premises": anna["premises"].pk,
        "choice": "for",
        "body": "Wiadomość, która nie powinna trafić do cudzego wątku.",
    }


def kwargs_for(name, converters, anna):
    if not converters:
        return {}
    assert name in URL_KWARGS, (
        f"New resident URL {name} takes {converters}: add it to URL_KWARGS in "
        "tests/test_security.py so the access tests cover it."
    )
    return URL_KWARGS[name](anna)


def test_every_resident_url_with_ids_is_mapped():
    unmapped = [name for name, conv in resident_urls() if conv and name not in URL_KWARGS]
    assert not unmapped, f"add these URLs to URL_KWARGS: {unmapped}"
    stale = set(URL_KWARGS) - {name for name, _conv in resident_urls()}
    assert not stale, f"URL_KWARGS names that no longer exist: {stale}"


def test_anonymous_is_sent_to_login_everywhere(client, anna):
    for name, converters in resident_urls():
        url = reverse(name, kwargs=kwargs_for(name, converters, anna))
        response = client.get(url)
        if name in POST_ONLY:
            assert response.status_code == 405, url
            response = client.post(url)
        assert response.status_code == 302, f"{url}: {response.status_code}"
        assert urlsplit(response["Location"]).path == "/logowanie/", url


def test_anna_herself_opens_every_mapped_url(client, anna):
    """The mapping is real: the owner gets each page or file (so a 404 elsewhere means scope)."""
    client.force_login(anna["user"])
    for name, converters in resident_urls():
        if not converters or name in POST_ONLY:
            continue
        url = reverse(name, kwargs=kwargs_for(name, converters, anna))
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # consumed, not closed: see 7e96b6e


def _zofia_past_owner(zofia, anna):
    Ownership.objects.create(
        user=zofia,
        premises=anna["premises"],
        role=Ownership.Role.CO_OWNER,
        valid_from=datetime.date(2010, 1, 1),
        valid_to=timezone.localdate() - datetime.timedelta(days=1),
    )


def _zofia_future_owner(zofia, anna):
    Ownership.objects.create(
        user=zofia,
        premises=anna["premises"],
        role=Ownership.Role.CO_OWNER,
        valid_from=timezone.localdate() + datetime.timedelta(days=1),
    )


@pytest.mark.parametrize(
    "history",
    [None, _zofia_past_owner, _zofia_future_owner],
    ids=["other-community", "past-owner", "future-owner"],
)
def test_another_resident_gets_404_for_every_id_of_anna(client, anna, history):
    zofia = User.objects.get(username=ZOFIA)
    if history:
        history(zofia, anna)
    client.force_login(zofia)
    before = state()
    for name, converters in resident_urls():
        if not converters:
            continue
        url = reverse(name, kwargs=kwargs_for(name, converters, anna))
        response = client.get(url)
        expected = 405 if name in POST_ONLY else 404
        assert response.status_code == expected, f"GET {url}: {response.status_code}"
        response = client.post(url, forged_post(anna))
        assert response.status_code in (404, 405), f"POST {url}: {response.status_code}"
    assert state() == before


# What a neighbour in Anna's building shares with her: the building's failures (without her
# name or phone), the community's announcements, resolutions and documents.
NEIGHBOUR_SHARES = {
    "failures:detail",
    "failures:photo",
    "failures:thumbnail",
    "community:announcement_detail",
    "community:announcement_attachment",
    "community:resolution_detail",
    "community:resolution_receipt",
    "community:resolution_pdf",
    "documents:download",
}


def test_neighbour_in_the_same_building_gets_404_for_annas_own_ids(client, anna):
    """Marek owns flat 7 in Anna's building: her premises, money, meters, readings, letters,
    messages and consents stay hers; a forged POST changes nothing."""
    client.force_login(User.objects.get(username=MAREK))
    before = state()
    shared = set()
    for name, converters in resident_urls():
        if not converters:
            continue
        url = reverse(name, kwargs=kwargs_for(name, converters, anna))
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        if name in NEIGHBOUR_SHARES:
            assert response.status_code == 200, f"GET {url}: {response.status_code}"
            shared.add(name)
            continue
        expected = 405 if name in POST_ONLY else 404
        assert response.status_code == expected, f"GET {url}: {response.status_code}"
        response = client.post(url, forged_post(anna))
        assert response.status_code in (404, 405), f"POST {url}: {response.status_code}"
    assert shared == NEIGHBOUR_SHARES
    assert state()[:-1] == before[:-1]  # the last: Marek's own read of the announcement


def test_another_resident_sees_none_of_annas_data_on_list_pages(client, anna):
    client.force_login(User.objects.get(username=ZOFIA))
    for name, converters in resident_urls():
        if converters:
            continue
        url = reverse(name)
        response = client.get(url)
        assert response.status_code in (200, 302), f"{url}: {response.status_code}"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for secret in ["Nowak", "Lipowa 5", anna["premises"].bank_account]:
            assert secret not in text, f"{url} shows {secret!r} to Zofia"


def test_finance_premises_filter_refuses_another_residents_premises(client, anna):
    client.force_login(User.objects.get(username=ZOFIA))
    for value in [anna["premises"].pk, "x", "-1", "1 OR 1=1"]:
        response = client.get("/finanse/", {"lokal": value})
        assert response.status_code == 404, value


def test_forged_choices_cannot_act_on_another_residents_premises(client, anna):
    zofia = User.objects.get(username=ZOFIA)
    client.force_login(zofia)
    before = state()
    response = client.post(
        reverse("failures:create"),
        {
            "place": f"lokal-{anna['premises'].pk}",
            "description": "Cieknie kran w kuchni, woda na podłodze.",
            "contact_phone": "601 200 300",
        },
    )
    assert response.status_code == 200
    assert "Wybierz poprawną wartość" in response.content.decode()
    response = client.post(
        reverse("correspondence:thread_create"),
        {"premises": anna["premises"].pk, "subject": "Test", "body": "Treść wiadomości."},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("correspondence:consents"),
        {
            "form_key": "",
            "premises": anna["premises"].pk,
            "channel": "email",
            "address": "zofia@example.com",
            "agree": "on",
        },
    )
    assert response.status_code == 302
    assert state() == before
    assert not DeliveryConsent.objects.filter(user=zofia, premises=anna["premises"]).exists()


def test_deactivated_user_loses_an_open_session(client, anna):
    user = anna["user"]
    response = client.post("/logowanie/", {"login": ANNA, "password": "Strefa-demo-2026"})
    assert response.status_code == 302
    assert client.get(reverse("premises:index")).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    for url in [reverse("premises:index"), reverse("finance:index"), "/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert urlsplit(response["Location"]).path == "/logowanie/", url


def test_sixth_failed_login_is_refused_in_polish(client, settings, anna):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "security-rate-limit",
        }
    }
    caches["default"].clear()
    for _attempt in range(5):
        response = client.post("/logowanie/", {"login": ANNA, "password": "zle-haslo-123"})
        assert "Nieprawidłowy login lub hasło." in response.content.decode()
    response = client.post("/logowanie/", {"login": ANNA, "password": "Strefa-demo-2026"})
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated
    caches["default"].clear()


def test_new_owner_does_not_read_letters_sent_to_the_previous_owner(client, anna):
    """After a sale the buyer sees the premises' letters from the day their role began."""
    zofia = User.objects.get(username=ZOFIA)
    today = timezone.localdate()
    old = letters_for_user(anna["user"]).filter(premises=anna["premises"]).first()
    assert old is not None and old.published_at.date() < today
    Ownership.objects.filter(premises=anna["premises"]).update(
        valid_to=today - datetime.timedelta(days=1)
    )
    Ownership.objects.create(
        user=zofia, premises=anna["premises"], role=Ownership.Role.OWNER, valid_from=today
    )
    new = old.__class__.objects.create(
        community=old.community,
        premises=anna["premises"],
        recipient=zofia,
        kind=old.kind,
        subject="Powitanie nowego właściciela",
        published_at=timezone.now(),
    )
    client.force_login(zofia)
    assert list(letters_for_user(zofia).filter(premises=anna["premises"])) == [new]
    assert client.get(reverse("correspondence:letter", args=[old.pk])).status_code == 404
    assert client.get(reverse("correspondence:letter", args=[new.pk])).status_code == 200
    assert old.subject not in client.get(reverse("correspondence:index")).content.decode()


def test_letter_attachment_must_be_what_its_name_claims(anna):
    """Office uploads to letters are checked by content, like documents and announcements."""
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = anna["letter_attachment"].letter
    fake = LetterAttachment(
        letter=letter,
        name="wezwanie.pdf",
        file=SimpleUploadedFile("wezwanie.pdf", b"<html><script>alert(1)</script>"),
    )
    with pytest.raises(ValidationError) as error:
        fake.full_clean()
    assert "file" in error.value.message_dict
    real = LetterAttachment(
        letter=letter, name="wezwanie.pdf", file=SimpleUploadedFile("wezwanie.pdf", PDF)
    )
    real.full_clean()


def test_inline_files_are_only_ever_images(tmp_path):
    from django.core.files.storage import default_storage

    from portal.files import serve_file

    name = default_storage.save("security/page.html", ContentFile(b"<script>alert(1)</script>"))
    field = Reading._meta.get_field("photo")
    response = serve_file(
        field.attr_class(Reading(), field, name), inline=True, download_name="page.html"
    )
    response.file_to_stream.close()
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- Office staff of another community: every admin change form and custom view ---------------


def _foreign_admin_objects(staff):
    """(model admin, one object the office administrator sees but ``staff`` does not)."""
    from django.contrib import admin
    from django.test import RequestFactory

    from office.admin_mixins import CommunityScopedAdminMixin

    superuser = User.objects.filter(is_superuser=True).first()
    registry = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
    for _model, model_admin in registry:
        if not isinstance(model_admin, CommunityScopedAdminMixin):
            continue
        as_admin, as_staff = RequestFactory().get("/admin/"), RequestFactory().get("/admin/")
        as_admin.user, as_staff.user = superuser, staff
        visible = model_admin.get_queryset(as_staff).values("pk")
        foreign = model_admin.get_queryset(as_admin).exclude(pk__in=visible).order_by("pk").first()
        if foreign is not None:
            yield model_admin, foreign


def _object_urls(model_admin, obj):
    """The admin URLs of one object: change, delete, history, custom views taking its pk and
    the links of its files."""
    from django.db.models import FileField
    from django.urls import URLPattern

    info = model_admin.opts.app_label, model_admin.opts.model_name
    urls = [
        reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])
        for view in ("change", "delete", "history")
    ]
    for pattern in model_admin.get_urls():
        converters = set(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLPattern) and pattern.name and converters == {"pk"}:
            urls.append(reverse(f"admin:{pattern.name}", kwargs={"pk": obj.pk}))
    for field in obj._meta.fields:  # its files, through the access-checked admin view
        if isinstance(field, FileField) and getattr(obj, field.name):
            urls.append(getattr(obj, field.name).url)
    return sorted(set(urls))


def test_office_staff_of_another_community_gets_404_for_every_admin_object(client, anna):
    """Staff of Słoneczna open and POST to every admin URL of Lipowa's objects: never reached."""
    from office.services import community_role_assign
    from premises.models import Community, CommunityRole

    staff = User.objects.create_user(username="biuro-sloneczna", is_staff=True)
    sloneczna = Community.objects.exclude(pk=anna["premises"].building.community_id).get()
    community_role_assign(user=staff, community=sloneczna, role=CommunityRole.Role.OFFICE_STAFF)
    staff = User.objects.get(pk=staff.pk)
    client.force_login(staff)
    before = state()
    walked = set()
    for model_admin, foreign in _foreign_admin_objects(staff):
        walked.add(model_admin.opts.label)
        for url in _object_urls(model_admin, foreign):
            walked.add("file" if url.startswith("/admin/plik/") else model_admin.opts.label)
            response = client.get(url)
            assert response.status_code in (403, 404), f"GET {url}: {response.status_code}"
            response = client.post(url, {"post": "yes", "status": "closed", "body": "x"})
            assert response.status_code in (403, 404), f"POST {url}: {response.status_code}"
            assert model_admin.model._default_manager.filter(pk=foreign.pk).exists(), url
    assert state() == before
    # The demo data gives the walk something to do in every area of the office's work.
    for label in [
        "accounts.User",
        "premises.Premises",
        "premises.Ownership",
        "finance.Charge",
        "meters.Reading",
        "failures.FailureReport",
        "correspondence.Thread",
        "correspondence.ThreadAttachment",
        "community.Resolution",
        "documents.Document",
        "file",
    ]:
        assert label in walked, f"no foreign {label} in the demo data"
