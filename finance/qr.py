"""Payment QR code in the Polish banks' 2D-code standard for invoices (ZBP recommendation).

Nine fields joined by ``|``: recipient NIP, country code, 26-digit account, amount in grosze
(six digits, zero-padded), recipient name (≤ 20 characters), title (≤ 32 characters) and three
reserved fields left empty. UTF-8, error correction level L.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

import segno
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from premises.validators import normalize_nrb, validate_nrb

from .selectors import unpaid_periods

MAX_AMOUNT = Decimal("9999.99")  # six digits of grosze
NAME_LENGTH = 20
TITLE_LENGTH = 32
# Matched case-insensitively anywhere in the name ("WSPÓLNOTA MIESZKANIOWA LIPOWA 5" too).
_ABBREVIATIONS = (
    (re.compile(r"wsp[óo]lnota\s+mieszkaniowa", re.IGNORECASE), "WM"),
    (re.compile(r"sp[óo][łl]dzielnia\s+mieszkaniowa", re.IGNORECASE), "SM"),
    (re.compile(r"sp[óo][łl]dzielnia\s+budowlano[\s-]+mieszkaniowa", re.IGNORECASE), "SBM"),
)


class AmountTooLarge(ValueError):
    """The amount does not fit the standard's six-digit field."""


def _clean_text(value: str, length: int) -> str:
    # NFC, so "ó" written as "o" + combining accent counts (and is encoded) as one letter.
    # A "|" would shift every later field; line breaks are not allowed either.
    text = " ".join(unicodedata.normalize("NFC", value).replace("|", " ").split())
    return text[:length].rstrip()


def recipient_name(community_name: str) -> str:
    """Community name shortened the way banks print it: "WM Lipowa 5" (≤ 20 characters).

    The name is normalised to NFC and the legal form abbreviated whatever its case; only a
    name still too long after that is cut.
    """
    name = " ".join(unicodedata.normalize("NFC", community_name).split())
    for pattern, short in _ABBREVIATIONS:
        name = pattern.sub(short, name)
    return _clean_text(name, NAME_LENGTH)


def payment_payload(*, nip: str, account: str, amount: Decimal, name: str, title: str) -> str:
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if amount > MAX_AMOUNT:
        raise AmountTooLarge(amount)
    if amount < 0:
        raise ValueError("A payment amount cannot be negative.")
    grosze = int(amount * 100)
    fields = [
        "".join(ch for ch in nip if ch.isdigit()),
        "PL",
        normalize_nrb(account),
        f"{grosze:06d}",
        _clean_text(name, NAME_LENGTH),
        _clean_text(title, TITLE_LENGTH),
        "",
        "",
        "",
    ]
    return "|".join(fields)


@dataclass(frozen=True)
class PaymentCode:
    """What the page shows: the QR image, or why there is none."""

    payload: str = ""
    svg_data_uri: str = ""
    unavailable_reason: str = ""


def payment_code(*, nip: str, account: str, amount: Decimal, name: str, title: str) -> PaymentCode:
    if not account:
        return PaymentCode(unavailable_reason=_("Brak numeru rachunku do wpłat."))
    try:
        validate_nrb(account)
    except ValidationError:
        return PaymentCode(
            unavailable_reason=_(
                "Numer rachunku w naszych danych jest nieprawidłowy, więc nie pokazujemy kodu. "
                "Skontaktuj się z biurem."
            )
        )
    try:
        payload = payment_payload(nip=nip, account=account, amount=amount, name=name, title=title)
    except AmountTooLarge:
        return PaymentCode(
            unavailable_reason=_(
                "Kod QR nie obejmuje kwot od 10 000,00 zł (standard banków zapisuje kwotę "
                "najwyżej sześcioma cyframi w groszach). Prosimy wpisać przelew ręcznie."
            )
        )
    qr = segno.make(payload, error="l", encoding="utf-8", boost_error=False, micro=False)
    return PaymentCode(payload=payload, svg_data_uri=qr.svg_data_uri(scale=4, border=2))


@dataclass(frozen=True)
class PaymentTarget:
    """One transfer the resident can make: to which account, how much, and its QR code."""

    label: str
    account: str
    amount: Decimal
    title: str
    code: PaymentCode
    # True: the coming instalment (nothing is due now); then ``deadline`` is its last day.
    is_next: bool = False
    deadline: datetime.date | None = None
    periods: tuple[datetime.date, ...] = ()


def payment_targets(balance) -> list[PaymentTarget]:
    """The transfers for one premises: one, or one per fund kept on its own account.

    The amount is what is due now (the same figure as "Kwota do zapłaty" of that account),
    else the coming instalment; the title names the months the amount covers.
    """
    premises = balance.premises
    community = premises.building.community
    name = recipient_name(community.name)
    targets = []
    unpaid = unpaid_periods(balance)  # one query for every fund
    for settlement in balance.settlements:
        fund = getattr(settlement, "fund", None)
        account = settlement.bank_account if fund else balance.payment_account
        is_next, deadline = False, None
        if settlement.amount_due > 0:
            amount = settlement.amount_due
            periods = unpaid[fund]
        elif settlement.next_payment is not None and settlement.next_payment.amount > 0:
            is_next, deadline = True, settlement.next_payment.deadline
            amount = settlement.next_payment.amount
            periods = settlement.next_payment.periods
        else:
            amount, periods = Decimal("0.00"), ()
        title = transfer_title(premises.number, fund or "", periods)
        if amount <= 0:
            code = PaymentCode(unavailable_reason=_("Nie ma teraz nic do zapłaty."))
        else:
            code = payment_code(
                nip=community.nip, account=account, amount=amount, name=name, title=title
            )
        label = getattr(settlement, "label", "")
        targets.append(
            PaymentTarget(label, account, amount, title, code, is_next, deadline, periods)
        )
    return targets


def periods_text(periods, *, short: bool = False) -> str:
    """Months as a bank title writes them: "05/2026", "09-11/2026", "12/2025-02/2026"
    (``short``: "12/25-02/26")."""
    if not periods:
        return ""
    year = "%y" if short else "%Y"
    first, last = min(periods), max(periods)
    if first == last:
        return first.strftime(f"%m/{year}")
    if first.year == last.year:
        return f"{first:%m}-{last.strftime(f'%m/{year}')}"
    return f"{first.strftime(f'%m/{year}')}-{last.strftime(f'%m/{year}')}"


def transfer_title(number: str, fund: str, periods) -> str:
    """The transfer's title, at most 32 characters: the longest wording that fits, so a month
    is never cut short ("… 12/2025-02/20" would name another year)."""
    what = "f.remont." if fund == "repair" else "opłaty"
    number = " ".join(number.split())
    candidates = [
        f"Lokal {number} {what} {periods_text(periods)}",
        f"Lokal {number} {what} {periods_text(periods, short=True)}",
        f"Lok. {number} {what} {periods_text(periods, short=True)}",
        f"Lok. {number} {what}",
    ]
    for title in candidates:
        if len(_clean_text(title, TITLE_LENGTH + 1)) <= TITLE_LENGTH:
            return _clean_text(title, TITLE_LENGTH)
    return _clean_text(candidates[-1], TITLE_LENGTH)
