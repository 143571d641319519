"""Payment QR code in the Polish banks' 2D-code standard for invoices (ZBP recommendation).

Nine fields joined by ``|``: recipient NIP, country code, 26-digit account, amount in grosze
(six digits, zero-padded), recipient name (≤ 20 characters), title (≤ 32 characters) and three
reserved fields left empty. UTF-8, error correction level L.
"""

from dataclasses import dataclass
from decimal import Decimal

import segno
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from premises.validators import normalize_nrb, validate_nrb

MAX_AMOUNT = Decimal("9999.99")  # six digits of grosze
NAME_LENGTH = 20
TITLE_LENGTH = 32
_ABBREVIATIONS = (
    ("Wspólnota Mieszkaniowa", "WM"),
    ("Spółdzielnia Mieszkaniowa", "SM"),
)


class AmountTooLarge(ValueError):
    """The amount does not fit the standard's six-digit field."""


def _clean_text(value: str, length: int) -> str:
    # A "|" would shift every later field; line breaks are not allowed either.
    text = " ".join(value.replace("|", " ").split())
    return text[:length].rstrip()


def recipient_name(community_name: str) -> str:
    """Community name shortened the way banks print it: "WM Lipowa 5", then cut to 20."""
    name = community_name
    for long, short in _ABBREVIATIONS:
        if name.startswith(long):
            name = short + name[len(long) :]
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


def payment_targets(balance, today) -> list[PaymentTarget]:
    """The transfers for one premises: one, or one per fund kept on its own account.

    The amount is what is due now, else what falls due next (the balance still owed), so the
    code is useful on the day the advance is posted too.
    """
    premises = balance.premises
    community = premises.building.community
    name = recipient_name(community.name)
    month = f"{today:%m/%Y}"
    if balance.separate_funds:
        parts = [
            (
                fund.label,
                fund.bank_account,
                fund.amount_due if fund.amount_due > 0 else max(-fund.balance, Decimal(0)),
                _short_title(premises.number, fund.fund, month),
            )
            for fund in balance.funds
        ]
    else:
        parts = [
            (
                "",
                balance.payment_account,
                balance.to_pay_now_or_soon,
                _short_title(premises.number, "", month),
            )
        ]
    targets = []
    for label, account, amount, title in parts:
        if amount <= 0:
            code = PaymentCode(unavailable_reason=_("Nie ma teraz nic do zapłaty."))
        else:
            code = payment_code(
                nip=community.nip, account=account, amount=amount, name=name, title=title
            )
        targets.append(PaymentTarget(label, account, amount, title, code))
    return targets


def _short_title(number: str, fund: str, month: str) -> str:
    what = "f. remontowy" if fund == "repair" else "opłaty"
    return _clean_text(f"Lokal {number} {what} {month}", TITLE_LENGTH)
