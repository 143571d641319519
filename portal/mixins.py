from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from lib.ratelimit import rate_limit_hit
from premises.selectors import remember_scope


class ResidentRequiredMixin(LoginRequiredMixin):
    """A logged-in person. What they may see is decided by the selectors' scoping, not here."""

    def dispatch(self, request, *args, **kwargs):
        # The scope reads the person's premises once for the whole request (issue 17).
        remember_scope(request.user)
        return super().dispatch(request, *args, **kwargs)


RATE_LIMIT_MESSAGES = {
    "failure_report": _(
        "Wysłano zbyt wiele zgłoszeń w krótkim czasie. Spróbuj ponownie za godzinę, a w pilnej "
        "sprawie zadzwoń do Call Center."
    ),
    "message": _("Wysłano zbyt wiele wiadomości w krótkim czasie. Spróbuj ponownie za godzinę."),
    "reading": _("Wysłano zbyt wiele odczytów w krótkim czasie. Spróbuj ponownie za godzinę."),
}


def resident_rate_limit_ok(user, scope: str) -> bool:
    """Count one submission of ``scope`` (``settings.RESIDENT_RATE_LIMITS``) by the user."""
    limit, period = settings.RESIDENT_RATE_LIMITS[scope]
    return rate_limit_hit(scope=scope, key=user.pk, limit=limit, period=period)


def form_refuse(form, message) -> None:
    """Show ``message`` above a bound form without validating it (nothing is decoded)."""
    form.cleaned_data = {}
    form._errors = ErrorDict()
    form.add_error(None, message)


class ResidentRateLimitMixin:
    """Limit how often a person submits a form (``rate_limit_scope``); 429 with a Polish message.

    Every attempt counts, valid or not: the cost (e.g. decoding photos) comes with the attempt.
    """

    rate_limit_scope: str

    def post(self, request, *args, **kwargs):
        if not resident_rate_limit_ok(request.user, self.rate_limit_scope):
            form = self.get_form()
            form_refuse(form, RATE_LIMIT_MESSAGES[self.rate_limit_scope])
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)
