"""System checks run by `manage.py check` / `migrate` and at the gunicorn start (deploy/)."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def pdf_library_check(app_configs=None, **kwargs):
    """Statements, fee notices and issued logins are PDFs: without WeasyPrint (or its system
    libraries: Pango, HarfBuzz) those pages would fail in front of a resident or the office."""
    if settings.DEBUG:
        return []
    try:
        import weasyprint  # noqa: F401
    except Exception as exc:  # ImportError, or OSError when libpango is missing
        return [
            Error(
                f"WeasyPrint cannot be imported ({type(exc).__name__}: {exc}).",
                hint="pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
                "libharfbuzz-subset0 fonts-dejavu-core",
                id="strefa.E001",
            )
        ]
    return []
