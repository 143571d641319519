"""The whole portal on the demo data: every page a resident can reach, every admin screen.

Generic guards that hold for every tab, present and future: no page fails, the strict CSP is
not undermined by inline styles or scripts, every form field has a label, and admin lists run a
bounded number of queries at demo scale.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User

DEMO_RESIDENTS = ["10000001", "10000002", "10000003", "10000004"]
START_PAGES = ["/", "/lokale/", "/profil/", "/o-aplikacji/", "/finanse/", "/liczniki/", "/awarie/",
               "/korespondencja/", "/wspolnota/", "/dokumenty/"]  # fmt: skip
# Links the crawler must not follow: they end the session or change state on GET-less flows.
SKIP_PREFIXES = ("/wyloguj/", "/admin/", "/static/")


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.problems = [], []
        self.labels, self.inputs = set(), []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.problems.append(f"inline style on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.problems.append("inline <script>")
        if tag == "a" and attrs.get("href", "").startswith("/"):
            self.links.append(attrs["href"])
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in {"input", "select", "textarea"}:
            kind = attrs.get("type", "text")
            if kind not in {"hidden", "submit", "button", "reset", "image"}:
                self.inputs.append(attrs)

    def unlabelled_inputs(self):
        return [
            attrs.get("name") or attrs.get("id")
            for attrs in self.inputs
            if attrs.get("id") not in self.labels
            and not attrs.get("aria-label")
            and not attrs.get("aria-labelledby")
            and not attrs.get("disabled") is not None
        ]


def drain(response):
    """Read a streamed download and close its file without ending the test's DB connection."""
    if response.streaming:
        b"".join(response.streaming_content)
        if getattr(response, "file_to_stream", None) is not None:
            response.file_to_stream.close()


def audit(response, url):
    assert response.status_code in (200, 302, 404), f"{url} answered {response.status_code}"
    drain(response)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    page = PageAudit()
    page.feed(response.content.decode())
    assert not page.problems, f"{url}: {page.problems}"
    assert not page.unlabelled_inputs(), f"{url}: inputs without a label {page.unlabelled_inputs()}"
    return page.links


def test_every_page_a_resident_can_reach_works(client, demo):
    for login in DEMO_RESIDENTS:
        client.force_login(User.objects.get(username=login))
        seen, queue = set(), list(START_PAGES)
        while queue and len(seen) < 150:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in seen or path.startswith(SKIP_PREFIXES):
                continue
            seen.add(url)
            response = client.get(url)
            if path in START_PAGES:
                assert response.status_code == 200, f"{login} {url}: {response.status_code}"
            queue.extend(link for link in audit(response, url) if link not in seen)
        assert len(seen) > 3 * len(START_PAGES), (login, len(seen))


def test_login_and_reset_pages_are_clean(client, demo):
    for url in ["/logowanie/", "/nie-pamietam-hasla/", "/o-aplikacji/"]:
        response = client.get(url)
        assert response.status_code == 200
        audit(response, url)


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield model, model_admin, f"admin:{opts.app_label}_{opts.model_name}"


def test_every_admin_list_and_form_opens_with_bounded_queries(client, demo):
    office = User.objects.get(username="admin")
    client.force_login(office)
    assert client.get("/admin/").status_code == 200
    for _model, model_admin, name in _admin_urls():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"{name}_changelist"))
        assert response.status_code == 200, f"{name} list: {response.status_code}"
        # Demo data has hundreds of rows in some lists: an N+1 would show here.
        assert len(queries) <= 40, f"{name} list ran {len(queries)} queries"
        obj = model_admin.get_queryset(response.wsgi_request).first()
        if obj is not None:
            change = client.get(reverse(f"{name}_change", args=[obj.pk]))
            assert change.status_code in (200, 302), f"{name} change: {change.status_code}"
        request = response.wsgi_request
        if model_admin.has_add_permission(request):
            add = client.get(reverse(f"{name}_add"))
            assert add.status_code in (200, 302, 403), f"{name} add: {add.status_code}"
