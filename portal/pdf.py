"""PDFs from HTML templates with the portal's print stylesheet (WeasyPrint).

Every PDF is tagged (PDF/UA-1): a screen reader gets headings, tables and reading order, and
the document language comes from the template's ``<html lang="pl">``."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict) -> bytes:
    # Imported here: WeasyPrint is slow to import and most requests never need it.
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context)
    stylesheet = CSS(filename=finders.find("css/print.css"))
    return HTML(string=html, base_url=".").write_pdf(
        stylesheets=[stylesheet], pdf_variant="pdf/ua-1"
    )
