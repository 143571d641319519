"""Validators for Polish identifiers and formats: NRB bank accounts, NIP, REGON, postal codes.

Generic and app-independent: every model, form and import in Strefa uses these, so each rule
lives in one place.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.exceptions import InvalidLength
from stdnum.exceptions import ValidationError as ValidationErrorStdnum
from stdnum.pl import nip, regon

# --- NRB (Numer Rachunku Bankowego) -----------------------------------------------------------

# NBP's check digit of the 8-digit bank settlement number (numer rozliczeniowy): 3 digits of the
# bank, 4 of the branch, then a check digit from these weights over the first seven.
SETTLEMENT_NUMBER_WEIGHTS = (3, 9, 7, 1, 3, 9, 7)


def normalize_nrb(value: str) -> str:
    """Return the 26 digits of a Polish account number, dropping spaces and a PL prefix."""
    compact = "".join(value.split()).upper()
    if compact.startswith("PL"):
        compact = compact[2:]
    return compact


def settlement_number_is_valid(settlement_number: str) -> bool:
    """True when the 8-digit bank settlement number's last digit is its NBP check digit.

    ``10901014`` (Santander, 1090 1014): 1·3 + 0·9 + 9·7 + 0·1 + 1·3 + 0·9 + 1·7 = 76, and
    (10 − 76 mod 10) mod 10 = 4, the last digit.
    """
    if len(settlement_number) != 8 or not settlement_number.isdigit():
        return False
    total = sum(
        int(digit) * weight
        for digit, weight in zip(settlement_number[:7], SETTLEMENT_NUMBER_WEIGHTS, strict=True)
    )
    return (10 - total % 10) % 10 == int(settlement_number[7])


def validate_nrb(value: str) -> None:
    """26 digits, the IBAN check digits ("PL" + NRB) and the bank settlement number's own."""
    compact = normalize_nrb(value)
    if len(compact) != 26 or not compact.isdigit():
        raise ValidationError(_("Numer rachunku musi mieć 26 cyfr."), code="nrb_length")
    try:
        IBAN("PL" + compact)
    except SchwiftyException:
        raise ValidationError(
            _("Nieprawidłowy numer rachunku (błędna suma kontrolna)."), code="nrb_checksum"
        ) from None
    if not settlement_number_is_valid(compact[2:10]):
        raise ValidationError(
            _(
                "Nieprawidłowy numer rachunku: numer rozliczeniowy banku (cyfry 3–10) "
                "ma błędną cyfrę kontrolną."
            ),
            code="nrb_settlement_number",
        )


def format_nrb(value: str) -> str:
    """Format as banks print it: ``61 1090 1014 0000 0712 1981 2874``."""
    compact = normalize_nrb(value)
    if len(compact) != 26:
        return value
    return compact[:2] + " " + " ".join(compact[i : i + 4] for i in range(2, 26, 4))


# --- NIP and REGON ----------------------------------------------------------------------------


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


# --- Postal code ------------------------------------------------------------------------------

POSTAL_CODE_RE = re.compile(r"\d{2}-\d{3}", re.ASCII)


def validate_postal_code(value: str) -> None:
    """A Polish postal code as the post office writes it: NN-NNN, e.g. ``00-950``."""
    if not POSTAL_CODE_RE.fullmatch(value or ""):
        raise ValidationError(
            _(
                "Kod pocztowy „%(value)s” jest nieprawidłowy: "
                "wpisz go w formacie NN-NNN, np. 00-950."
            ),
            code="postal_code",
            params={"value": value},
        )
