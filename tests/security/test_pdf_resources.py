"""PDFs fetch nothing but data: URLs and the project's own static files.

A template that one day puts user data into a src/href must not make WeasyPrint read a local
file (file:///etc/passwd, a path next to the working directory) or call a URL (SSRF)."""

import base64
import io
import subprocess

import pytest
from PIL import Image
from weasyprint.urls import URLFetcher

import portal.pdf
from portal.pdf import render_pdf
from tests.pdf import pdf_text


def png_base64() -> str:
    """A real 2×2 PNG, base64."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def fetched(monkeypatch):
    """Every URL that reaches WeasyPrint's real fetcher (the disk or the network)."""
    urls = []
    real_fetch = URLFetcher.fetch

    def recording_fetch(self, url, headers=None):
        urls.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", recording_fetch)
    return urls


def render(monkeypatch, body: str) -> bytes:
    html = (
        '<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><title>Próba</title></head>'
        f"<body><h1>Zażółć gęślą jaźń</h1>{body}</body></html>"
    )
    monkeypatch.setattr(portal.pdf, "render_to_string", lambda name, context: html)
    return render_pdf("pdf/base.html", {})


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/",
        "https://example.com/logo.png",
        "/etc/passwd",
        "../../../../etc/passwd",
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
    ],
)
def test_pdf_refuses_local_files_and_network_urls(monkeypatch, fetched, url):
    pdf = render(
        monkeypatch,
        f'<img src="{url}" alt="x"><link rel="stylesheet" href="{url}">'
        f'<div style="background: url({url})">Treść</div>',
    )
    assert "Zażółć gęślą jaźń" in pdf_text(pdf)  # the PDF still renders
    assert not [u for u in fetched if "passwd" in u or "127.0.0.1" in u or "example" in u]


def test_pdf_takes_data_urls_and_the_projects_static_files(monkeypatch, fetched):
    pdf = render(
        monkeypatch,
        f'<img src="data:image/png;base64,{png_base64()}" alt="kropka">'
        '<img src="/static/img/paperclip.svg" alt="spinacz">',
    )
    assert "Zażółć gęślą jaźń" in pdf_text(pdf)
    assert any(u.startswith("data:image/png") for u in fetched)
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert len(images.splitlines()) == 3  # two header lines and the PNG (the SVG is drawn)
    assert any(u.startswith("file://") and u.endswith("/static/img/paperclip.svg") for u in fetched)
