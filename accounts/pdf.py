from django.utils import timezone

from portal.pdf import render_pdf
from premises.selectors import company_current

from .services import IssuedCredentials


def acknowledgement_pdf(credentials: list[IssuedCredentials]) -> bytes:
    """One page per person: login, initial password and the statement to sign."""
    return render_pdf(
        "accounts/acknowledgement_pdf.html",
        {"credentials": credentials, "company": company_current(), "today": timezone.localdate()},
    )
