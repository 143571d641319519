from functools import cache
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import defaults
from django.views.generic import TemplateView

from premises.selectors import premises_for_request

from .home import home_panels
from .mixins import ResidentRequiredMixin

# "Twoje lokale" names at most this many premises, then links to Lokale with the count (an
# owner of 40 premises would find the panels below a long list).
PREMISES_SHOWN = 8


def page_not_found(request, exception):
    """The portal's 404 page; under /api/ the API's JSON (an integrator's script reads JSON)."""
    if request.path.startswith("/api/"):
        from api.views import not_found

        return not_found(request, exception)
    return defaults.page_not_found(request, exception)


class HomeView(ResidentRequiredMixin, TemplateView):
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        premises = premises_for_request(self.request)
        return super().get_context_data(
            premises_list=premises[:PREMISES_SHOWN],
            premises_count=len(premises),
            panels=home_panels(self.request),
            **kwargs,
        )


@cache
def app_version() -> str:
    """The installed package's version, read once per process (it parses the package's
    metadata file: 0.4 ms on every "O aplikacji")."""
    try:
        return version(settings.STREFA_VERSION_PACKAGE)
    except PackageNotFoundError:
        return "dev"


class AboutView(TemplateView):
    template_name = "portal/about.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=app_version(), **kwargs)


class AccessibilityStatementView(TemplateView):
    """Deklaracja dostępności: open to everyone, like "O aplikacji"."""

    template_name = "portal/accessibility.html"


def favicon(request):
    """/favicon.ico for browsers and bots that do not read the page's <link rel="icon">."""
    return redirect(static("favicon.ico"), permanent=True)
