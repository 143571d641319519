"""Every PDF Strefa renders is tagged (PDF/UA-1) and says it is Polish."""

import datetime

import pytest

from portal.pdf import render_pdf
from tests.factories import add_charge
from tests.pdf import pdf_accessibility, pdf_text


def test_shared_renderer_makes_tagged_polish_pdfs():
    pdf = render_pdf(
        "documents/pdf/demo_document.html",
        {"title": "Regulamin", "issuer": "Biuro", "paragraphs": ["Zażółć gęślą jaźń."]},
    )
    assert pdf_accessibility(pdf) == {"tagged": True, "lang": "pl"}
    assert "Zażółć gęślą jaźń." in pdf_text(pdf)


@pytest.mark.django_db
def test_finance_statement_is_tagged(resident_client, premises):
    add_charge(premises, "300.00", datetime.date(2025, 1, 10))
    response = resident_client.get(f"/finanse/{premises.pk}/wyciag.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert pdf_accessibility(response.content) == {"tagged": True, "lang": "pl"}


def test_print_stylesheet_is_parsed_once_per_thread(monkeypatch):
    """A fee-notice run renders thousands of PDFs: the stylesheet and fonts load once."""
    import weasyprint

    import portal.pdf

    monkeypatch.setattr(portal.pdf._assets, "value", None, raising=False)
    parsed = []
    real_css = weasyprint.CSS

    def counting_css(*args, **kwargs):
        parsed.append(kwargs.get("filename"))
        return real_css(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", counting_css)
    context = {"title": "Regulamin", "issuer": "Biuro", "paragraphs": ["Zażółć gęślą jaźń."]}
    first = render_pdf("documents/pdf/demo_document.html", context)
    second = render_pdf("documents/pdf/demo_document.html", context)
    assert len(parsed) == 1
    for pdf in (first, second):
        assert pdf_accessibility(pdf) == {"tagged": True, "lang": "pl"}
        assert "Zażółć gęślą jaźń." in pdf_text(pdf)
