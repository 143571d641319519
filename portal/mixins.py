from django.contrib.auth.mixins import LoginRequiredMixin


class ResidentRequiredMixin(LoginRequiredMixin):
    """A logged-in person. What they may see is decided by the selectors' scoping, not here."""
