"""Every PDF template extends the one frame (templates/pdf/base.html), so the page, fonts and
letterhead exist once (issue 18)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PDF_TEMPLATES = sorted(ROOT.glob("*/templates/*/pdf/*.html")) + [
    ROOT / "accounts/templates/accounts/acknowledgement_pdf.html"
]


@pytest.mark.parametrize("path", PDF_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_pdf_template_extends_the_shared_base(path):
    text = path.read_text()
    assert text.startswith('{% extends "pdf/base.html" %}')
    assert "<!DOCTYPE" not in text  # the frame is only in the base
    assert '{{ community.address }}</p>\n  <p class="right">' not in text


def test_letterhead_lives_once():
    templates = [*ROOT.glob("*/templates/**/*.html"), *ROOT.glob("templates/**/*.html")]
    letterheads = [p for p in templates if 'class="right"><strong>' in p.read_text()]
    assert [p.relative_to(ROOT) for p in letterheads] == [Path("templates/pdf/letterhead.html")]
