"""Favicon, icons and the shared stylesheet's accessibility rules."""

import re
from pathlib import Path

from django.contrib.staticfiles import finders


def test_every_page_links_a_favicon_that_exists(client, db):
    html = client.get("/logowanie/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/favicon.ico" sizes="48x48">' in html
    assert Path(finders.find("favicon.ico")).read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert "<svg" in Path(finders.find("favicon.svg")).read_text()


def test_root_favicon_redirects_to_the_static_one(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"


def _all_css() -> str:
    roots = [Path("static"), *Path(".").glob("*/static")]
    return "\n".join(p.read_text() for root in roots for p in root.rglob("*.css"))


def test_no_emoji_icons_in_css():
    css = _all_css()
    assert not re.search(r'content:\s*"[\U0001F300-\U0001FAFF]', css)
    assert 'url("../img/paperclip.svg")' in css
    assert finders.find("img/paperclip.svg")


def test_body_font_follows_the_users_setting_and_inputs_have_visible_borders():
    css = Path("static/css/strefa.css").read_text()
    assert re.search(r"body \{[^}]*font-size: 1rem", css)
    assert "font-size: 16px" not in css
    assert "--c-input-border: #6b7280" in css  # 4.8:1 on white (WCAG 1.4.11 needs 3:1)
    assert "opacity" not in Path("meters/static/meters/meters.css").read_text()
