"""PDFs from HTML templates with the portal's print stylesheet (WeasyPrint).

Every PDF is tagged (PDF/UA-1): a screen reader gets headings, tables and reading order, and
the document language comes from the template's ``<html lang="pl">``."""

import threading

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

_assets = threading.local()


def _print_assets():
    """The print stylesheet and its font configuration, parsed once per thread.

    Finding and parsing the stylesheet and loading its fonts took a quarter to a third of each
    PDF's time; a fee-notice run renders thousands of PDFs in one worker (issue 17). The
    stylesheet changes only with a deployment, which restarts the processes. WeasyPrint does
    not promise that a font configuration may be shared between threads, so each thread has
    its own.
    """
    assets = getattr(_assets, "value", None)
    if assets is None:
        # Imported here: WeasyPrint is slow to import and most requests never need it.
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        stylesheet = CSS(filename=finders.find("css/print.css"), font_config=font_config)
        assets = _assets.value = (stylesheet, font_config)
    return assets


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    stylesheet, font_config = _print_assets()
    return HTML(string=html, base_url=".").write_pdf(
        stylesheets=[stylesheet], font_config=font_config, pdf_variant="pdf/ua-1"
    )
