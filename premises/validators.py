"""Validators for Polish identifiers: NRB bank accounts, NIP and REGON."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidLength
from stdnum.exceptions import ValidationError as ValidationErrorStdnum
from stdnum.pl import nip, regon


def normalize_nrb(value: str) -> str:
    """Return the 26 digits of a Polish account number, dropping spaces and a PL prefix."""
    compact = "".join(value.split()).upper()
    if compact.startswith("PL"):
        compact = compact[2:]
    return compact


def validate_nrb(value: str) -> None:
    compact = normalize_nrb(value)
    if len(compact) != 26 or not compact.isdigit():
        raise ValidationError(_("Numer rachunku musi mieć 26 cyfr."), code="nrb_length")
    try:
        IBAN("PL" + compact)
    except SchwiftyException:
        raise ValidationError(
            _("Nieprawidłowy numer rachunku (błędna suma kontrolna)."), code="nrb_checksum"
        ) from None


def format_nrb(value: str) -> str:
    """Format as banks print it: ``61 1090 1014 0000 0712 1981 2874``."""
    compact = normalize_nrb(value)
    if len(compact) != 26:
        return value
    return compact[:2] + " " + " ".join(compact[i : i + 4] for i in range(2, 26, 4))


def validate_nip(value: str) -> None:
    try:
        nip.validate(value)
    except InvalidLength:
        raise ValidationError(_("NIP musi mieć 10 cyfr."), code="nip_length") from None
    except ValidationErrorStdnum:
        raise ValidationError(_("Nieprawidłowy NIP."), code="nip_invalid") from None


def validate_regon(value: str) -> None:
    try:
        regon.validate(value)
    except InvalidLength:
        raise ValidationError(_("REGON musi mieć 9 lub 14 cyfr."), code="regon_length") from None
    except ValidationErrorStdnum:
        raise ValidationError(_("Nieprawidłowy REGON."), code="regon_invalid") from None
