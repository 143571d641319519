"""Reading import files into unsaved rows with per-row errors in Polish.

Nothing here writes: ``finance.services`` applies a clean preview in one transaction.

Charges CSV (``;`` or ``,``, UTF-8 or Windows-1250), header row with these columns:
``lokal`` (premises number), ``kategoria``, ``okres`` (e.g. ``2025-05`` or ``05/2025``),
``kwota`` (``350,27``; negative = correction) and optionally ``budynek`` (street, when the
community has several buildings), ``tytul``, ``termin`` (default: the community's due day of
that month) and ``fundusz``.

Bank statement CSV: ``id_transakcji``, ``data``, ``kwota``, ``tytul``, ``nadawca``,
``rachunek_nadawcy``, ``rachunek_odbiorcy`` (the premises' individual account). Only credits
are imported; debits and transactions imported before are skipped.

Bank statement MT940: credits from ``:61:``/``:86:``; the recipient account is the statement's
``:25:`` account, title, payer and payer account come from the ``:86:`` subfields used by
Polish banks (``~20``–``~25``, ``~32``–``~33``, ``~38`` or ``~30``+``~31``).
"""

import calendar
import csv
import datetime
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from premises.models import Community, Premises
from premises.validators import normalize_nrb, validate_nrb

from .models import Charge, Fund, FundAccount, ImportBatch, Payment

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_AMOUNT = Decimal("9999999999.99")


# --- Results --------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    notice: str = ""  # why a valid row adds nothing (e.g. imported before)
    obj: Charge | Payment | None = None

    @property
    def will_create(self) -> bool:
        return not self.errors and not self.notice and self.obj is not None


@dataclass
class ImportPreview:
    kind: str
    file_name: str
    sha256: str
    columns: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    community: Community | None = None

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def to_create(self) -> list[Charge | Payment]:
        return [row.obj for row in self.rows if row.will_create]

    @property
    def skipped_count(self) -> int:
        return sum(1 for row in self.rows if row.notice and not row.errors)

    @property
    def total_amount(self) -> Decimal:
        return sum((obj.amount for obj in self.to_create), Decimal("0.00"))


# --- Parsing helpers ------------------------------------------------------------------------


def _key(value: str) -> str:
    """Header or label folded for comparison: lower case, no Polish diacritics."""
    value = value.strip().lower().replace("ł", "l")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", "_", value)


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1250"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def parse_amount(value: str) -> Decimal:
    text = value.strip().replace("\xa0", "").replace(" ", "")
    text = re.sub(r"(zł|zl|pln)$", "", text, flags=re.I)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d{1,2})?", text):
        raise ValueError(_("Nieprawidłowa kwota „%(value)s” (np. 350,27).") % {"value": value})
    amount = Decimal(text)
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(_("Kwota „%(value)s” jest za duża.") % {"value": value})
    return amount


def parse_date(value: str) -> datetime.date:
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Nieprawidłowa data „%(value)s” (np. 10.05.2025).") % {"value": value})


def parse_month(value: str) -> datetime.date:
    text = value.strip()
    for fmt in ("%Y-%m", "%m/%Y", "%m.%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError(_("Nieprawidłowy okres „%(value)s” (np. 2025-05).") % {"value": value})


def check_account(value: str, *, label: str) -> str:
    """A compact account number, checked: Polish NRB (26 digits) or a foreign IBAN."""
    compact = "".join(value.split()).upper()
    if not compact:
        return ""
    digits = normalize_nrb(compact)
    if digits.isdigit():
        try:
            validate_nrb(digits)
        except ValidationError as error:
            raise ValueError(f"{label}: {error.messages[0]}") from None
        return digits
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException:
        raise ValueError(
            _("%(label)s: nieprawidłowy numer rachunku (IBAN).") % {"label": label}
        ) from None


_CATEGORY_ALIASES = {
    "zaliczka": Charge.Category.MANAGEMENT,
    "koszty_zarzadu": Charge.Category.MANAGEMENT,
    "eksploatacja": Charge.Category.MANAGEMENT,
    "fr": Charge.Category.REPAIR_FUND,
    "remontowy": Charge.Category.REPAIR_FUND,
    "woda": Charge.Category.WATER,
    "c.o.": Charge.Category.HEATING,
    "co": Charge.Category.HEATING,
    "ogrzewanie": Charge.Category.HEATING,
    "smieci": Charge.Category.WASTE,
    "wywoz_smieci": Charge.Category.WASTE,
}


def parse_category(value: str) -> str:
    key = _key(value)
    for choice in Charge.Category:
        if key in (_key(choice.value), _key(str(choice.label))):
            return choice.value
    if key in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[key]
    allowed = ", ".join(str(label) for label in Charge.Category.labels)
    raise ValueError(
        _("Nieznana kategoria „%(value)s”. Dozwolone: %(allowed)s.")
        % {"value": value, "allowed": allowed}
    )


def parse_fund(value: str) -> str:
    key = _key(value)
    for choice in Fund:
        if key in (_key(choice.value), _key(str(choice.label))):
            return choice.value
    if key in ("fr", "remontowy"):
        return Fund.REPAIR
    if key in ("eksploatacja", "eksploatacyjny", "zarzad", "podstawowy"):
        return Fund.OPERATING
    raise ValueError(_("Nieznany fundusz „%(value)s”.") % {"value": value})


def _read_csv(text: str, preview: ImportPreview, aliases: dict[str, str], required: set[str]):
    """Rows of a CSV as dicts keyed by canonical column names; header problems → file errors."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        preview.file_errors.append(_("Plik jest pusty."))
        return []
    header = lines[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    raw_header = next(reader)
    columns = [aliases.get(_key(name), _key(name)) for name in raw_header]
    missing = sorted(required - set(columns))
    if missing:
        preview.file_errors.append(
            _("Brak wymaganych kolumn: %(columns)s. Pierwszy wiersz pliku to nagłówek.")
            % {"columns": ", ".join(missing)}
        )
        return []
    preview.columns = [name.strip() for name in raw_header]
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            preview.file_errors.append(
                _("Plik ma więcej niż %(max)d wierszy; podziel go.") % {"max": MAX_ROWS}
            )
            return []
        cells = dict.fromkeys(columns, "")
        for column, value in zip(columns, values, strict=False):
            cells[column] = value.strip()
        row = ImportRow(line=number, cells=cells)
        if len(values) != len(columns):
            row.errors.append(
                _("Wiersz ma %(got)d pól zamiast %(expected)d.")
                % {"got": len(values), "expected": len(columns)}
            )
        rows.append(row)
    if not rows:
        preview.file_errors.append(_("Plik nie zawiera żadnych wierszy z danymi."))
    return rows


def _start(kind: str, file_name: str, content: bytes) -> tuple[ImportPreview, str | None]:
    preview = ImportPreview(
        kind=kind, file_name=file_name, sha256=hashlib.sha256(content).hexdigest()
    )
    if len(content) > MAX_FILE_BYTES:
        preview.file_errors.append(_("Plik jest za duży (najwyżej 2 MB)."))
        return preview, None
    if b"\x00" in content:
        preview.file_errors.append(_("To nie jest plik tekstowy CSV ani MT940."))
        return preview, None
    try:
        return preview, decode(content)
    except ValueError:
        preview.file_errors.append(_("Nie można odczytać pliku: użyj kodowania UTF-8."))
        return preview, None


# --- Charges --------------------------------------------------------------------------------

_CHARGE_ALIASES = {
    "nr_lokalu": "lokal",
    "numer_lokalu": "lokal",
    "tytul": "tytul",
    "opis": "tytul",
    "termin_platnosci": "termin",
    "kwota_zl": "kwota",
    "ulica": "budynek",
}


def preview_charges(*, community: Community, file_name: str, content: bytes) -> ImportPreview:
    preview, text = _start(ImportBatch.Kind.CHARGES, file_name, content)
    preview.community = community
    if text is None:
        return preview
    previous = (
        ImportBatch.objects.filter(kind=ImportBatch.Kind.CHARGES, file_sha256=preview.sha256)
        .order_by("created_at")
        .first()
    )
    if previous:
        preview.file_errors.append(
            _("Ten plik został już zaimportowany %(date)s; ponowny import podwoiłby naliczenia.")
            % {"date": previous.created_at.strftime("%d.%m.%Y")}
        )
        return preview
    rows = _read_csv(text, preview, _CHARGE_ALIASES, {"lokal", "kategoria", "okres", "kwota"})
    premises_list = list(
        Premises.objects.filter(building__community=community).select_related("building")
    )
    by_number: dict[str, list[Premises]] = {}
    for premises in premises_list:
        by_number.setdefault(premises.number.strip().upper(), []).append(premises)
    for row in rows:
        _charge_row(row, community, by_number)
    preview.rows = rows
    return preview


def _charge_row(row: ImportRow, community: Community, by_number) -> None:
    cells = row.cells
    errors = row.errors
    premises = None
    candidates = by_number.get(cells["lokal"].upper(), [])
    street = cells.get("budynek", "")
    if street:
        candidates = [p for p in candidates if _key(p.building.street) == _key(street)]
    if not cells["lokal"]:
        errors.append(_("Brak numeru lokalu."))
    elif not candidates:
        errors.append(
            _("Lokal „%(number)s” nie istnieje we wspólnocie %(community)s.")
            % {"number": cells["lokal"], "community": community.name}
        )
    elif len(candidates) > 1:
        errors.append(
            _("Lokal „%(number)s” jest w kilku budynkach: podaj kolumnę „budynek”.")
            % {"number": cells["lokal"]}
        )
    else:
        premises = candidates[0]
    values = {}
    for name, parser in (
        ("kategoria", parse_category),
        ("okres", parse_month),
        ("kwota", parse_amount),
    ):
        try:
            values[name] = parser(cells[name])
        except ValueError as error:
            errors.append(str(error))
    if values.get("kwota") == 0:
        errors.append(_("Kwota nie może być zerowa."))
    due_date = None
    if cells.get("termin"):
        try:
            due_date = parse_date(cells["termin"])
        except ValueError as error:
            errors.append(str(error))
    elif "okres" in values:
        due_date = due_date_for(community, values["okres"])
    fund = None
    if cells.get("fundusz"):
        try:
            fund = parse_fund(cells["fundusz"])
        except ValueError as error:
            errors.append(str(error))
    title = cells.get("tytul", "")[:200]
    if errors:
        return
    category = values["kategoria"]
    period = values["okres"]
    row.obj = Charge(
        premises=premises,
        category=category,
        fund=fund or Charge.fund_for_category(category),
        title=title or f"{Charge.Category(category).label} {period:%m/%Y}",
        period=period,
        due_date=due_date,
        amount=values["kwota"],
    )


def due_date_for(community: Community, period: datetime.date) -> datetime.date:
    """The community's due day (e.g. the 10th) in the month of ``period``."""
    last = calendar.monthrange(period.year, period.month)[1]
    return period.replace(day=min(community.payment_due_day, last))


# --- Bank statements ------------------------------------------------------------------------

_BANK_ALIASES = {
    "id": "id_transakcji",
    "identyfikator": "id_transakcji",
    "identyfikator_transakcji": "id_transakcji",
    "data_ksiegowania": "data",
    "data_operacji": "data",
    "tytul_przelewu": "tytul",
    "opis": "tytul",
    "zleceniodawca": "nadawca",
    "nazwa_nadawcy": "nadawca",
    "rachunek_zleceniodawcy": "rachunek_nadawcy",
    "rachunek": "rachunek_odbiorcy",
    "rachunek_wirtualny": "rachunek_odbiorcy",
}


class _Matcher:
    """Matches a recipient account to a premises or a fund account (two queries)."""

    def __init__(self, communities):
        premises = Premises.objects.exclude(bank_account="")
        funds = FundAccount.objects.all()
        if communities is not None:
            premises = premises.filter(building__community__in=communities)
            funds = funds.filter(community__in=communities)
        self.premises = {normalize_nrb(p.bank_account): p for p in premises}
        self.funds = {normalize_nrb(f.bank_account): f.fund for f in funds}


def _payment_from(row: ImportRow, matcher: _Matcher, known_ids: set[str], seen: set[str]):
    cells = row.cells
    errors = row.errors
    transaction_id = cells.get("id_transakcji", "")[:100]
    if not transaction_id:
        errors.append(_("Brak identyfikatora transakcji."))
    elif transaction_id in seen:
        errors.append(_("Identyfikator transakcji powtarza się w pliku."))
    seen.add(transaction_id)
    values = {}
    for name, parser in (("data", parse_date), ("kwota", parse_amount)):
        try:
            values[name] = parser(cells.get(name, ""))
        except ValueError as error:
            errors.append(str(error))
    accounts = {}
    for name, label in (
        ("rachunek_odbiorcy", _("Rachunek odbiorcy")),
        ("rachunek_nadawcy", _("Rachunek nadawcy")),
    ):
        try:
            accounts[name] = check_account(cells.get(name, ""), label=label)
        except ValueError as error:
            errors.append(str(error))
    if errors:
        return
    if values["kwota"] <= 0:
        row.notice = _("Obciążenie rachunku (wypłata) – pominięto.")
        return
    if transaction_id in known_ids:
        row.notice = _("Transakcja zaimportowana wcześniej – pominięto.")
        return
    recipient = accounts["rachunek_odbiorcy"]
    premises = matcher.premises.get(recipient)
    fund = "" if premises else matcher.funds.get(recipient, "")
    row.obj = Payment(
        premises=premises,
        booked_on=values["data"],
        amount=values["kwota"],
        title=cells.get("tytul", "")[:255],
        source=Payment.Source.BANK,
        bank_transaction_id=transaction_id,
        payer_name=cells.get("nadawca", "")[:200],
        payer_account=accounts["rachunek_nadawcy"],
        recipient_account=recipient,
        fund=fund,
    )


def _finish_bank(preview: ImportPreview, rows: list[ImportRow], communities) -> ImportPreview:
    matcher = _Matcher(communities)
    ids = [row.cells.get("id_transakcji", "") for row in rows]
    known = set(
        Payment.objects.filter(bank_transaction_id__in=[i for i in ids if i]).values_list(
            "bank_transaction_id", flat=True
        )
    )
    seen: set[str] = set()
    for row in rows:
        _payment_from(row, matcher, known, seen)
    preview.rows = rows
    return preview


def preview_bank_csv(*, file_name: str, content: bytes, communities=None) -> ImportPreview:
    """``communities``: where payments may be matched (None = everywhere, for superusers)."""
    preview, text = _start(ImportBatch.Kind.BANK_CSV, file_name, content)
    if text is None:
        return preview
    rows = _read_csv(text, preview, _BANK_ALIASES, {"id_transakcji", "data", "kwota"})
    return _finish_bank(preview, rows, communities)


_SUBFIELD = re.compile(r"~(\d\d)")


def _subfields(details: str) -> dict[str, str]:
    parts = _SUBFIELD.split(details.replace("\n", "").replace("\r", ""))
    fields: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[code] = fields.get(code, "") + value
    return fields


def preview_bank_mt940(*, file_name: str, content: bytes, communities=None) -> ImportPreview:
    import mt940

    preview, text = _start(ImportBatch.Kind.BANK_MT940, file_name, content)
    if text is None:
        return preview
    try:
        statement = mt940.parse(text)
        transactions = list(statement)
    except Exception:  # the parser raises many kinds of errors on bad input
        preview.file_errors.append(_("Nie można odczytać pliku MT940."))
        return preview
    if not transactions:
        preview.file_errors.append(_("Wyciąg MT940 nie zawiera żadnych transakcji."))
        return preview
    own_account = (statement.data.get("account_identification") or "").lstrip("/")
    preview.columns = ["id_transakcji", "data", "kwota", "tytul", "nadawca", "rachunek_nadawcy"]
    rows = []
    for number, transaction in enumerate(transactions, start=1):
        data = transaction.data
        details = _subfields(data.get("transaction_details") or "")
        amount = data.get("amount")
        value = amount.amount if amount is not None else Decimal(0)
        reference = data.get("bank_reference") or ""
        if not reference or reference.upper() == "NONREF":
            raw = f"{own_account}|{data.get('date')}|{value}|{data.get('transaction_details')}"
            reference = "MT940-" + hashlib.sha256(raw.encode()).hexdigest()[:32]
        # ~38 holds the payer's full IBAN; ~30 + ~31 only where they make a whole NRB.
        payer_account = details.get("38", "")
        if not payer_account and len(details.get("30", "") + details.get("31", "")) == 26:
            payer_account = details["30"] + details["31"]
        title = "".join(details.get(code, "") for code in ("20", "21", "22", "23", "24", "25"))
        cells = {
            "id_transakcji": reference,
            "data": f"{data.get('date'):%Y-%m-%d}" if data.get("date") else "",
            "kwota": str(value),
            "tytul": title.strip(),
            "nadawca": (details.get("32", "") + details.get("33", "")).strip(),
            "rachunek_nadawcy": payer_account.strip(),
            "rachunek_odbiorcy": own_account,
        }
        rows.append(ImportRow(line=number, cells=cells))
    return _finish_bank(preview, rows, communities)


def preview_bank_statement(*, file_name: str, content: bytes, communities=None):
    """CSV or MT940, told apart by the content (MT940 starts with ``:20:`` tags)."""
    head = content.lstrip()[:200]
    if head.startswith((b":20:", b"{1:", b":940:")) or b"\n:20:" in head or b":25:" in head:
        return preview_bank_mt940(file_name=file_name, content=content, communities=communities)
    return preview_bank_csv(file_name=file_name, content=content, communities=communities)
