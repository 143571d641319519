"""Parsing of register spreadsheet cells (CSV/XLSX as offices keep them), with Polish errors."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lib.imports import RowValueError, parse_day, parse_decimal
from lib.phones import normalize_phone

from .models import Ownership, Premises
from .validators import normalize_nrb, validate_nip, validate_nrb


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# "lokal 12", "lok. 12", "mieszkanie 12", "M 12", "M. 12", "nr 12": the word is no part of the
# number. Only before a digit: "MU1" or "G12" are numbers of their own.
_NUMBER_WORD = re.compile(
    r"^(?:LOKAL(?:U)?|LOK\.?|MIESZKANIE|MIESZK\.?|M\.?|NR\.?)\s*(?:NR\.?\s*)?(?=\d)"
)


def premises_number_key(number: str) -> str:
    """A premises number as the office's files and payers' titles name it, for comparing: "12a"
    in one export is "12A" in the register, "012", "M 012" and "lokal 012" are "12"; "12A" and
    "112" are other premises. The one rule for every import and every title."""
    key = _NUMBER_WORD.sub("", text(number).upper()).replace(" ", "")
    return re.sub(r"^0+(?=\d)", "", key)


def decimal(value, *, label: str) -> Decimal:
    """A number as every import reads it (``lib.imports.parse_decimal``: ``1 234,50``,
    ``1.234,50``, ``1234.5``), never negative; the field's own validation checks its size."""
    try:
        number = parse_decimal(text(value), max_digits=30, decimal_places=10, label=label)
    except RowValueError as error:
        raise ValidationError(str(error)) from None
    if number < 0:
        raise ValidationError(_("%(label)s nie może być ujemna.") % {"label": label})
    return number


def integer(value, *, label: str) -> int:
    number = decimal(value, label=label)
    if number != number.to_integral_value():
        raise ValidationError(_("%(label)s musi być liczbą całkowitą.") % {"label": label})
    return int(number)


def share(value) -> tuple[int, int]:
    """``"5000/100000"`` or a decimal fraction such as ``0,050000``, as (numerator, denominator)."""
    raw = text(value).replace(" ", "").replace(",", ".")
    try:
        if "/" in raw:
            numerator, denominator = (int(part) for part in raw.split("/", 1))
            if denominator <= 0:
                raise ValueError
        else:
            number = Decimal(raw)
            if not number.is_finite():
                raise ValueError(raw)
            fraction = Fraction(number)
            numerator, denominator = fraction.numerator, fraction.denominator
    except (ValueError, InvalidOperation, ZeroDivisionError):
        raise ValidationError(
            _("Udział „%(value)s”: podaj ułamek (np. 5000/100000) lub liczbę (np. 0,05).")
            % {"value": value}
        ) from None
    if numerator < 0 or numerator > denominator:
        raise ValidationError(_("Udział musi być między 0 a 1."))
    return numerator, denominator


def date(value, *, label: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    day = parse_day(value)
    if day is None:
        raise ValidationError(
            _("%(label)s: „%(value)s” nie jest datą (DD.MM.RRRR).")
            % {"label": label, "value": text(value)}
        )
    return day


def boolean(value) -> bool:
    return text(value).lower() in {"1", "tak", "t", "true", "x", "yes"}


def _choice(value, choices, *, label: str) -> str:
    raw = text(value).lower()
    for code, name in choices:
        if raw in (code.lower(), str(name).lower()):
            return code
    allowed = ", ".join(str(name) for _code, name in choices)
    raise ValidationError(
        _("%(label)s „%(value)s” jest nieznany; dozwolone: %(allowed)s.")
        % {"label": label, "value": text(value), "allowed": allowed}
    )


def premises_kind(value) -> str:
    if not text(value):
        return Premises.Kind.FLAT
    return _choice(value, Premises.Kind.choices, label=_("Rodzaj lokalu"))


def ownership_role(value) -> str:
    if not text(value):
        return Ownership.Role.OWNER
    return _choice(value, Ownership.Role.choices, label=_("Rola"))


def nrb(value) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        validate_nrb(raw)
    except ValidationError:
        digits = normalize_nrb(raw)
        if digits.isdigit() and len(digits) in (25, 26) and not digits[15:].strip("0"):
            # What Excel leaves of 26 digits in a number cell (25 with a leading zero):
            # 15 significant digits, then zeros.
            raise ValidationError(
                _(
                    "Excel zapisał numer rachunku jako liczbę i zgubił jego końcowe cyfry "
                    "(„%(value)s”). Nadaj kolumnie format „Tekst”, wpisz numery ponownie "
                    "i wczytaj plik."
                )
                % {"value": raw}
            ) from None
        raise
    return normalize_nrb(raw)


def nip(value) -> str:
    raw = text(value).replace("-", "").replace(" ", "")
    if raw:
        validate_nip(raw)
    return raw


def phone(value) -> str:
    raw = text(value)
    if not raw:
        return ""
    try:
        return normalize_phone(raw)
    except ValidationError as error:
        raise ValidationError(
            _("Telefon „%(value)s”: %(error)s") % {"value": raw, "error": error.messages[0]}
        ) from None
