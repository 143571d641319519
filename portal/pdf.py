"""PDFs from HTML templates with the portal's print stylesheet (WeasyPrint).

Every PDF is tagged (PDF/UA-1): a screen reader gets headings, tables and reading order, and
the document language comes from the template's ``<html lang="pl">``.

A PDF fetches nothing but ``data:`` URLs and the project's own static files (``{% static %}``):
a template that one day puts user data into a ``src`` or ``href`` must not make the renderer
read a local file or call a URL (SSRF). A refused resource is left out, the PDF still renders.
"""

import threading
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

# What a PDF's relative URLs resolve against: "/static/…" from {% static %} lands under this
# made-up origin (never fetched) and so in the static files, not at the working directory.
PDF_BASE_URL = "https://pdf.strefa.invalid/"

_assets = threading.local()


def static_file_for_url(url: str) -> Path | None:
    """The project's static file a PDF's URL names, or None for any other URL."""
    static = urlsplit(urljoin(PDF_BASE_URL, settings.STATIC_URL))
    parts = urlsplit(url)
    if (parts.scheme, parts.netloc) != (static.scheme, static.netloc):
        return None
    if not parts.path.startswith(static.path):
        return None
    name = unquote(parts.path[len(static.path) :])
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or ".." in PurePosixPath(name).parts
    ):
        return None
    try:
        found = finders.find(name)
        if found is None and staticfiles_storage.exists(name):
            found = staticfiles_storage.path(name)  # a hashed name, after collectstatic
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None
    return Path(found) if found and Path(found).is_file() else None


def _url_fetcher():
    """WeasyPrint's fetcher, allowed only ``data:`` URLs and the project's static files."""
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file_for_url(url)
            if path is None:
                raise ValueError(f"Only data: URLs and static files in PDFs, not {url!r}")
            response = super().fetch(path.as_uri(), headers)
            # What it refers to (e.g. a stylesheet's fonts) resolves among the static files.
            response.url = url
            return response

    return StaticOnlyFetcher(allowed_protocols=("data", "file"), allow_redirects=False)


def _print_assets():
    """The print stylesheet, its font configuration and the URL fetcher, made once per thread.

    Finding and parsing the stylesheet and loading its fonts took a quarter to a third of each
    PDF's time; a fee-notice run renders thousands of PDFs in one worker (issue 17). The
    stylesheet changes only with a deployment, which restarts the processes. WeasyPrint does
    not promise that a font configuration (or a fetcher) may be shared between threads, so
    each thread has its own.
    """
    assets = getattr(_assets, "value", None)
    if assets is None:
        # Imported here: WeasyPrint is slow to import and most requests never need it.
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fetcher = _url_fetcher()
        font_config = FontConfiguration()
        stylesheet = CSS(
            filename=finders.find("css/print.css"),
            base_url=urljoin(PDF_BASE_URL, settings.STATIC_URL + "css/print.css"),
            url_fetcher=fetcher,
            font_config=font_config,
        )
        assets = _assets.value = (stylesheet, font_config, fetcher)
    return assets


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    stylesheet, font_config, fetcher = _print_assets()
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant="pdf/ua-1"
    )
