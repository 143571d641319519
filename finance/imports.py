"""Reading charges files and bank statements into unsaved rows with per-row messages in Polish.

Nothing here writes: ``finance.services`` applies a clean preview in one transaction. Files are
read by the shared pipeline (``lib.imports``: encodings, delimiters, XLSX, row limit) and the
statement formats by ``lib.statements``; this module keeps only the rules of Finanse.

Charges (CSV or XLSX), header row with: ``lokal`` (premises number), ``kategoria``, ``okres``
(e.g. ``2025-05``, ``05/2025``, ``maj 2025`` or a date), ``kwota`` (``350,27``; negative =
correction) and optionally ``budynek`` (street, when the community has several buildings),
``tytul``, ``termin`` (default: the community's due day of that month), ``fundusz`` and
``identyfikator`` (the accounting system's own id). A charge is the same charge, whichever path
sent it (file or API), by ``charge_identity``: importing it again adds nothing.

Bank statements: MT940, camt.053, Elixir-0 or the banks' CSV exports. Only credits are imported (an
Elixir-0 operation is a credit when paid to an account of the community or its premises). A
payment is the same payment when its bank reference is equal (with another amount or day it is
refused), or, when the bank gives none, its date, amount, accounts and title; another export of
the account is recognised by content (``_booked_from_another_export``). Every format is dated by
the day the bank booked the operation; a bank CSV's order date is only a second key, for rows
Strefa booked by it before. It is matched to a premises by the premises' individual
account (the recipient account, or a virtual account written in the details), then by the
premises number in the title; the rest wait for the office in the queue of unassigned payments.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from lib.imports import (
    FileError,
    RowError,
    RowValueError,
    fold,
    parse_day,
    parse_decimal,
    read_table,
)
from lib.statements import (
    BankTransaction,
    Statement,
    accounts_in,
    parse_statement,
    synthetic_reference,
    text_key,
)
from lib.statements import parse_date as _parse_date
from portal.templatetags.strefa import format_money
from premises.imports import premises_number_key
from premises.models import Community, Premises
from premises.validators import format_nrb, normalize_nrb, validate_nrb

from .models import Charge, Fund, FundAccount, ImportBatch, Payment
from .selectors import due_date_for

MAX_ROWS = 100_000
MONEY = {"max_digits": 12, "decimal_places": 2}
PREVIEW_ROWS_SHOWN = 500


# --- Results --------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notice: str = ""  # why a valid row adds nothing (e.g. imported before)
    match: str = ""  # how a payment was matched, with the confidence
    # A payment's other days in the statement (order or value date), besides its booking day.
    other_dates: tuple[datetime.date, ...] = ()
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
    communities: set[int] = field(default_factory=set)  # locked while applying
    source: str = ""  # e.g. "MT940, mBank, rachunek 12 1140 …"

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def shown_rows(self) -> list[ImportRow]:
        """Rows on the preview page: every row with a problem, then the first few others."""
        problems = [row for row in self.rows if row.errors or row.warnings]
        others = [row for row in self.rows if not (row.errors or row.warnings)]
        return sorted(problems + others[: max(0, PREVIEW_ROWS_SHOWN - len(problems))], key=_line)

    @property
    def hidden_count(self) -> int:
        return len(self.rows) - len(self.shown_rows)

    @property
    def to_create(self) -> list[Charge | Payment]:
        return [row.obj for row in self.rows if row.will_create]

    @property
    def skipped_count(self) -> int:
        return sum(1 for row in self.rows if row.notice and not row.errors)

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings)

    @property
    def unassigned_count(self) -> int:
        return sum(1 for obj in self.to_create if getattr(obj, "premises", True) is None)

    @property
    def total_amount(self) -> Decimal:
        return sum((obj.amount for obj in self.to_create), Decimal("0.00"))


def _line(row: ImportRow) -> int:
    return row.line


def _new_preview(kind: str, file_name: str, content: bytes) -> ImportPreview:
    return ImportPreview(kind=kind, file_name=file_name, sha256=hashlib.sha256(content).hexdigest())


# --- Parsing helpers ------------------------------------------------------------------------


def parse_amount(value: str) -> Decimal:
    try:
        return parse_decimal(value, label=_("Kwota"), **MONEY)
    except ValueError:
        raise RowValueError(
            "invalid_amount", _("Nieprawidłowa kwota „%(value)s” (np. 350,27).") % {"value": value}
        ) from None


def parse_date(value: str) -> datetime.date:
    return _parse_date(value)


def parse_due_date(value: str) -> datetime.date:
    """A charge's due date by the one date rule of the imports (``lib.imports.parse_day``)."""
    day = parse_day(value)
    if day is None:
        raise RowValueError(
            "invalid_date",
            _("Nieprawidłowa data „%(value)s” (np. 10.05.2025).") % {"value": value},
        )
    return day


# Months as accounting systems and Excel's "mmmm rrrr" write them (folded: no diacritics).
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (
            ("styczen", "stycznia", "sty"),
            ("luty", "lutego", "lut"),
            ("marzec", "marca", "mar"),
            ("kwiecien", "kwietnia", "kwi"),
            ("maj", "maja"),
            ("czerwiec", "czerwca", "cze"),
            ("lipiec", "lipca", "lip"),
            ("sierpien", "sierpnia", "sie"),
            ("wrzesien", "wrzesnia", "wrz"),
            ("pazdziernik", "pazdziernika", "paz"),
            ("listopad", "listopada", "lis"),
            ("grudzien", "grudnia", "gru"),
        ),
        start=1,
    )
    for name in names
}


def parse_month(value: str) -> datetime.date:
    text = value.strip()
    formats = ("%Y-%m", "%m/%Y", "%m.%Y", "%Y.%m", "%m-%Y", "%Y/%m")
    for fmt in formats:
        try:
            return datetime.datetime.strptime(text, fmt).date().replace(day=1)  # noqa: DTZ007
        except ValueError:
            continue
    # A date (also Excel's day number of a date cell saved as "General") names its month.
    day = parse_day(text)
    if day is not None:
        return day.replace(day=1)
    named = re.fullmatch(r"([a-z]+)_(\d{4})(?:_r)?", fold(text))
    if named and named.group(1) in _MONTH_NAMES:
        return datetime.date(int(named.group(2)), _MONTH_NAMES[named.group(1)], 1)
    raise RowValueError(
        "invalid_period", _("Nieprawidłowy okres „%(value)s” (np. 2025-05).") % {"value": value}
    )


def check_account(value: str, *, label: str) -> str:
    """A compact account number, checked: Polish NRB (26 digits) or a foreign IBAN."""
    compact = "".join(value.split()).upper()
    if not compact:
        return ""
    digits = normalize_nrb(compact)
    if len(digits) == 26 and digits.isdigit() and int(digits[2:] + "2521" + digits[:2]) % 97 == 1:
        return digits  # a valid NRB (the IBAN checksum), without schwifty's slower parse
    if digits.isdigit():
        try:
            validate_nrb(digits)
        except ValidationError as error:
            raise RowValueError("invalid_account", f"{label}: {error.messages[0]}") from None
        return digits
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException:
        raise RowValueError(
            "invalid_account",
            _("%(label)s: nieprawidłowy numer rachunku (IBAN).") % {"label": label},
        ) from None


_CATEGORY_ALIASES = {
    "zaliczka": Charge.Category.MANAGEMENT,
    "koszty_zarzadu": Charge.Category.MANAGEMENT,
    "eksploatacja": Charge.Category.MANAGEMENT,
    "fr": Charge.Category.REPAIR_FUND,
    "remontowy": Charge.Category.REPAIR_FUND,
    "woda": Charge.Category.WATER,
    "c.o": Charge.Category.HEATING,
    "c.o.": Charge.Category.HEATING,
    "co": Charge.Category.HEATING,
    "ogrzewanie": Charge.Category.HEATING,
    "smieci": Charge.Category.WASTE,
    "wywoz_smieci": Charge.Category.WASTE,
}


def parse_category(value: str) -> str:
    key = fold(value)
    for choice in Charge.Category:
        if key in (fold(choice.value), fold(str(choice.label))):
            return choice.value
    if key in _CATEGORY_ALIASES:
        return _CATEGORY_ALIASES[key]
    allowed = ", ".join(str(label) for label in Charge.Category.labels)
    raise RowValueError(
        "invalid_category",
        _("Nieznana kategoria „%(value)s”. Dozwolone: %(allowed)s.")
        % {"value": value, "allowed": allowed},
    )


def parse_fund(value: str) -> str:
    key = fold(value)
    for choice in Fund:
        if key in (fold(choice.value), fold(str(choice.label))):
            return choice.value
    if key in ("fr", "remontowy"):
        return Fund.REPAIR
    if key in ("eksploatacja", "eksploatacyjny", "zarzad", "podstawowy"):
        return Fund.OPERATING
    raise RowValueError("invalid_fund", _("Nieznany fundusz „%(value)s”.") % {"value": value})


def default_charge_title(category: str, period: datetime.date) -> str:
    return f"{Charge.Category(category).label} {period:%m/%Y}"


# --- Charges --------------------------------------------------------------------------------

_CHARGE_ALIASES = {
    "lokal": "lokal",
    "nr_lokalu": "lokal",
    "numer_lokalu": "lokal",
    "lokal_nr": "lokal",
    "nr_lok": "lokal",
    "kategoria": "kategoria",
    "rodzaj_oplaty": "kategoria",
    "skladnik_oplaty": "kategoria",
    "okres": "okres",
    "okres_rozliczeniowy": "okres",
    "okres_naliczenia": "okres",
    "miesiac": "okres",
    "kwota": "kwota",
    "kwota_zl": "kwota",
    "kwota_brutto": "kwota",
    "kwota_naliczenia": "kwota",
    "termin_zaplaty": "termin",
    "tytul": "tytul",
    "opis": "tytul",
    "termin": "termin",
    "termin_platnosci": "termin",
    "budynek": "budynek",
    "ulica": "budynek",
    "fundusz": "fundusz",
    "identyfikator": "external_id",
    "id_naliczenia": "external_id",
    "external_id": "external_id",
}
CHARGE_REQUIRED = ("lokal", "kategoria", "okres", "kwota")


def preview_charges(*, community: Community, file_name: str, content: bytes) -> ImportPreview:
    preview = _new_preview(ImportBatch.Kind.CHARGES, file_name, content)
    preview.community = community
    preview.communities = {community.pk}
    try:
        table = read_table(
            content, aliases=_CHARGE_ALIASES, required=CHARGE_REQUIRED, max_rows=MAX_ROWS
        )
    except FileError as error:
        preview.file_errors.append(error.message)
        return preview
    preview.columns = table.header
    rows = []
    for source in table.rows:
        row = ImportRow(line=source.line, cells=source.cells)
        if source.width > len(table.columns):
            row.errors.append(
                RowError(
                    "row_too_wide",
                    _("Wiersz ma %(got)d pól zamiast %(expected)d.")
                    % {"got": source.width, "expected": len(table.columns)},
                )
            )
        rows.append(row)
    if not rows:
        preview.file_errors.append(_("Plik nie zawiera żadnych wierszy z danymi."))
    charge_rows_check(rows, community)
    preview.rows = rows
    return preview


def charge_rows_check(rows: list[ImportRow], community: Community) -> None:
    """The rules of a charge for rows of cells (a file's or the API's): two queries in all."""
    # One query for the premises, one for the charges already booked in the file's periods.
    premises_list = list(
        Premises.objects.filter(building__community=community).select_related("building")
    )
    by_number: dict[str, list[Premises]] = {}
    for premises in premises_list:
        by_number.setdefault(premises_number_key(premises.number), []).append(premises)
    memo: dict = {}
    for row in rows:
        _charge_row(row, community, by_number, memo)
    _charges_against_booked(rows, community)


def charge_identity(charge) -> tuple:
    """What an accounting system sends again, by any path, for the same charge: premises,
    category and fund, period, due date and amount. The title counts only where both name one
    (``_titles_agree``: the API may leave it out, the file give it); where both carry the
    sender's own id (``external_id``), that id alone decides."""
    return (
        charge.premises_id,
        charge.category,
        charge.fund,
        charge.period,
        charge.due_date,
        charge.amount,
    )


def _title_given(charge) -> str:
    """The charge's title as compared, or "" where it is the default one nobody wrote."""
    if charge.title == default_charge_title(charge.category, charge.period):
        return ""
    return text_key(charge.title)


def _titles_agree(one, other) -> bool:
    first, second = _title_given(one), _title_given(other)
    return not first or not second or first == second


def _title_key(charge) -> tuple:
    """The database's backstop (``unique_charge``): one title per premises, category, period
    and sender's id."""
    return (charge.premises_id, charge.category, charge.period, charge.title, charge.external_id)


@dataclass
class _BookedCharge:
    premises_id: int
    premises_number: str
    category: str
    fund: str
    period: datetime.date
    due_date: datetime.date
    amount: Decimal
    title: str
    external_id: str
    taken: bool = False  # stands for a row of this file already


def _charges_against_booked(rows: list[ImportRow], community: Community) -> None:
    """Skip the charges booked before (by ``charge_identity``), refuse changed ones."""
    charges = [row.obj for row in rows if row.obj is not None]
    periods = {charge.period for charge in charges}
    external_ids = {charge.external_id for charge in charges if charge.external_id}
    booked_list = []
    if charges:
        booked_list = [
            _BookedCharge(*values)
            for values in Charge.objects.filter(
                Q(period__in=periods) | Q(external_id__in=external_ids),
                premises__building__community=community,
            )
            .order_by("pk")
            .values_list(
                "premises_id",
                "premises__number",
                "category",
                "fund",
                "period",
                "due_date",
                "amount",
                "title",
                "external_id",
            )
        ]
    by_external = {b.external_id: b for b in booked_list if b.external_id}
    by_identity: dict[tuple, list[_BookedCharge]] = {}
    by_title: dict[tuple, list[_BookedCharge]] = {}
    for booked in booked_list:
        by_identity.setdefault(charge_identity(booked), []).append(booked)
        by_title.setdefault(_title_key(booked)[:4], []).append(booked)
    seen: dict[tuple, int] = {}
    skipped = _("Naliczenie zaksięgowane wcześniej – pominięto.")
    for row in rows:
        charge = row.obj
        if charge is None or row.errors:
            continue
        keys = [_title_key(charge)]
        if charge.external_id:
            keys.append(("external_id", charge.external_id))
        repeated = next((seen[key] for key in keys if key in seen), None)
        if repeated is not None:
            row.errors.append(
                RowError(
                    "duplicate_in_batch",
                    _(
                        "To samo naliczenie (lokal, kategoria, okres i tytuł) jest już w wierszu "
                        "%(line)d; nadaj korekcie inny tytuł."
                    )
                    % {"line": repeated},
                )
            )
            continue
        for key in keys:
            seen[key] = row.line
        identity = charge_identity(charge)
        if charge.external_id and charge.external_id in by_external:
            booked = by_external[charge.external_id]
            if charge_identity(booked) == identity:
                booked.taken = True
                row.notice = skipped
                continue
            row.errors.append(
                RowError(
                    "conflict_with_booked",
                    _(
                        "Naliczenie o identyfikatorze „%(id)s” jest już zaksięgowane inaczej "
                        "(lokal %(number)s, %(period)s, termin %(due)s, %(amount)s); zmianę "
                        "wprowadź jako korektę z nowym identyfikatorem."
                    )
                    % {
                        "id": charge.external_id,
                        "number": booked.premises_number,
                        "period": f"{booked.period:%m/%Y}",
                        "due": f"{booked.due_date:%d.%m.%Y}",
                        "amount": format_money(booked.amount),
                    },
                )
            )
            continue
        same = next(
            (
                b
                for b in by_identity.get(identity, [])
                if not b.taken
                and not (b.external_id and charge.external_id)
                and _titles_agree(b, charge)
            ),
            None,
        )
        if same is not None:
            same.taken = True
            row.notice = skipped
            continue
        # The same title (and no other id of the sender's own): the same charge, changed.
        titled = [
            b
            for b in by_title.get(_title_key(charge)[:4], [])
            if not (b.external_id and charge.external_id)
        ]
        if any(b.amount == charge.amount for b in titled):
            row.notice = skipped
        elif titled:
            row.errors.append(
                RowError(
                    "conflict_with_booked",
                    _(
                        "To naliczenie jest już zaksięgowane z kwotą %(amount)s; zmianę "
                        "wprowadź jako korektę (wiersz z różnicą i innym tytułem)."
                    )
                    % {"amount": format_money(titled[0].amount)},
                )
            )


def _memo(memo: dict, name: str, parser, value):
    """A parser's result (or its error) for a cell value seen before in this file.

    Files repeat the same categories, periods and amounts thousands of times; parsing each
    distinct value once keeps a 100 000-row preview fast.
    """
    key = (name, value)
    if key not in memo:
        try:
            memo[key] = (parser(value), None)
        except ValueError as error:
            memo[key] = (None, str(error))
    result, error = memo[key]
    if error is not None:
        raise RowValueError(getattr(error, "code", "invalid"), error)
    return result


def _charge_row(row: ImportRow, community: Community, by_number, memo=None) -> None:
    memo = {} if memo is None else memo
    cells = row.cells
    errors = row.errors
    premises = None
    number = cells.get("lokal", "").strip()
    candidates = by_number.get(premises_number_key(number), [])
    street = cells.get("budynek", "")
    if street:
        wanted = _memo(memo, "street", fold, street)
        candidates = [
            p for p in candidates if _memo(memo, "street", fold, p.building.street) == wanted
        ]
    if not number:
        errors.append(RowError("premises_missing", _("Brak numeru lokalu.")))
    elif not candidates:
        errors.append(
            RowError(
                "premises_not_found",
                _("Lokal „%(number)s” nie istnieje we wspólnocie %(community)s.")
                % {"number": number, "community": community.name},
            )
        )
    elif len(candidates) > 1:
        errors.append(
            RowError(
                "premises_ambiguous",
                _("Lokal „%(number)s” jest w kilku budynkach: podaj kolumnę „budynek”.")
                % {"number": number},
            )
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
            values[name] = _memo(memo, name, parser, cells.get(name, ""))
        except ValueError as error:
            errors.append(str(error))
    if values.get("kwota") == 0:
        errors.append(RowError("zero_amount", _("Kwota nie może być zerowa.")))
    due_date = None
    if cells.get("termin"):
        try:
            due_date = _memo(memo, "termin", parse_due_date, cells["termin"])
        except ValueError as error:
            errors.append(str(error))
    elif "okres" in values:
        due_date = _memo(memo, "due", lambda p: due_date_for(community, p), values["okres"])
    fund = None
    if cells.get("fundusz"):
        try:
            fund = _memo(memo, "fundusz", parse_fund, cells["fundusz"])
        except ValueError as error:
            errors.append(str(error))
    title = " ".join(cells.get("tytul", "").split())[:200]
    external_id = " ".join(cells.get("external_id", "").split())
    if len(external_id) > 100:
        errors.append(
            RowError("invalid", _("Identyfikator naliczenia jest dłuższy niż 100 znaków."))
        )
    if errors:
        return
    category = values["kategoria"]
    period = values["okres"]
    row.obj = Charge(
        premises=premises,
        category=category,
        fund=fund or Charge.fund_for_category(category),
        title=title or _memo(memo, "title", lambda k: default_charge_title(*k), (category, period)),
        period=period,
        due_date=due_date,
        amount=values["kwota"],
        external_id=external_id,
    )


# --- Bank statements ------------------------------------------------------------------------

CONFIDENCE_ACCOUNT = _("rachunek indywidualny lokalu – pewne")
CONFIDENCE_VIRTUAL = _("rachunek wirtualny lokalu w opisie – pewne")


@dataclass
class _Owner:
    community_id: int
    premises: Premises | None = None
    fund: str = ""


class Accounts:
    """Accounts of the communities in scope: premises (incl. virtual), funds, main accounts.

    Three queries, whatever the statement's size.
    """

    def __init__(self, communities):
        premises = Premises.objects.exclude(bank_account="").select_related("building")
        funds = FundAccount.objects.all()
        main = Community.objects.exclude(bank_account="")
        if communities is not None:
            premises = premises.filter(building__community__in=communities)
            funds = funds.filter(community__in=communities)
            main = main.filter(pk__in=communities)
        self.owners: dict[str, _Owner] = {}
        self.ambiguous: set[str] = set()  # one account entered in several communities
        for community in main:
            account = normalize_nrb(community.bank_account)
            if account in self.owners and self.owners[account].community_id != community.pk:
                self.ambiguous.add(account)
            self.owners[account] = _Owner(community.pk)
        for account in funds:
            self.owners[normalize_nrb(account.bank_account)] = _Owner(
                account.community_id, fund=account.fund
            )
        for p in premises:
            self.owners[normalize_nrb(p.bank_account)] = _Owner(p.building.community_id, p)

    def get(self, account: str) -> _Owner | None:
        return self.owners.get(normalize_nrb(account)) if account else None


class _TitleMatcher:
    """Premises numbers written in titles ("lokal 12", "m. 12", "Lipowa 5/12")."""

    PATTERNS = (
        re.compile(
            r"\b(?:lokal[ua]?|lok\.?|mieszkani[ea]|mieszk\.?|m\.|m\s|nr\s+lokalu|gara[żz]u?|"
            r"gar\.?|kom[óo]rk[ai]|lu)\s*(?:nr\.?\s*)?([0-9]+[a-z]?)\b",
            re.I,
        ),
        # "Lipowa 5/12", "ul. Lipowa 5 / 12": a street word first; "05/2025" is a period
        re.compile(r"[^\W\d_]{3,}\.?\s+[1-9]\d*[a-z]?\s*/\s*(\d{1,3}[a-z]?)\b", re.I),
    )

    def __init__(self, community_ids: set[int]):
        self.by_number: dict[tuple[int, str], list[Premises]] = {}
        for p in Premises.objects.filter(building__community__in=community_ids).select_related(
            "building"
        ):
            key = (p.building.community_id, premises_number_key(p.number))
            self.by_number.setdefault(key, []).append(p)

    def find(self, community_id: int, title: str) -> tuple[Premises | None, str]:
        folded = fold(title).replace("_", " ")
        for pattern in self.PATTERNS:
            for number in pattern.findall(title):
                candidates = self.by_number.get((community_id, premises_number_key(number)), [])
                if len(candidates) > 1:
                    candidates = [
                        p for p in candidates if fold(p.building.street).replace("_", " ") in folded
                    ] or candidates
                if len(candidates) == 1:
                    premises = candidates[0]
                    street = fold(premises.building.street).replace("_", " ")
                    if street and street in folded:
                        return premises, _("numer lokalu i ulica w tytule – prawdopodobne")
                    return premises, _("numer lokalu w tytule – do sprawdzenia")
                if candidates:
                    return None, _(
                        "w tytule numer lokalu %(number)s, ale jest kilka takich lokali"
                    ) % {"number": number}
        return None, ""


def preview_bank_statement(
    *, file_name: str, content: bytes, communities=None, community=None
) -> ImportPreview:
    """A bank statement (MT940, camt.053, Elixir-0, CSV/XLSX) matched to premises in
    ``communities``.

    ``communities``: where payments may be booked (None = everywhere, for superusers);
    ``community``: the community chosen in the form, for a file that names no account.
    """
    preview = _new_preview(ImportBatch.Kind.BANK_CSV, file_name, content)
    try:
        statement = parse_statement(content)
    except FileError as error:
        preview.file_errors.append(error.message)
        return preview
    preview.kind = _BATCH_KINDS.get(statement.format, ImportBatch.Kind.BANK_CSV)
    preview.columns = [
        _("Data"),
        _("Kwota"),
        _("Tytuł"),
        _("Zleceniodawca"),
        _("Rachunek zleceniodawcy"),
        _("Rachunek odbiorcy"),
    ]
    accounts = Accounts(communities)
    statement_community = _statement_community(preview, statement, accounts, community)
    if preview.file_errors:
        return preview
    if statement_community is not None:
        preview.community = Community.objects.filter(pk=statement_community).first()
        preview.communities.add(statement_community)
    finish_bank(preview, statement, accounts, statement_community)
    return preview


def _statement_community(preview, statement: Statement, accounts: Accounts, chosen):
    """The community whose account the statement is of; an unknown account refuses the file."""
    found = set()
    for account in statement.accounts:
        owner = accounts.get(account)
        if normalize_nrb(account) in accounts.ambiguous:
            preview.file_errors.append(
                _(
                    "Rachunek wyciągu %(account)s jest wpisany w kilku wspólnotach; popraw "
                    "rachunki wspólnot, zanim zaimportujesz wyciąg."
                )
                % {"account": format_nrb(account)}
            )
            continue
        if owner is None:
            preview.file_errors.append(
                _(
                    "Rachunek wyciągu %(account)s nie należy do żadnej wspólnoty, którą "
                    "obsługujesz. Sprawdź, czy to właściwy plik, albo wpisz ten rachunek "
                    "we wspólnocie (rachunek bankowy lub rachunek funduszu)."
                )
                % {"account": format_nrb(account)}
            )
            continue
        found.add(owner.community_id)
    if chosen is not None:
        if found and found != {chosen.pk}:
            preview.file_errors.append(
                _("Wyciąg dotyczy rachunku innej wspólnoty niż wybrana (%(community)s).")
                % {"community": chosen.name}
            )
        found.add(chosen.pk)
    if len(found) > 1:
        preview.file_errors.append(
            _("Wyciąg obejmuje rachunki kilku wspólnot; importuj je osobno.")
        )
        return None
    parts = [_STATEMENT_FORMATS.get(statement.format, "CSV")]
    if statement.bank:
        parts.append(statement.bank)
    parts.extend(format_nrb(a) for a in statement.accounts)
    if statement.encoding:
        parts.append(_("kodowanie %(encoding)s") % {"encoding": statement.encoding})
    preview.source = ", ".join(parts)
    return found.pop() if found else None


_STATEMENT_FORMATS = {"mt940": "MT940", "elixir": "Elixir-0", "camt": "camt.053"}  # names
_BATCH_KINDS = {
    "mt940": ImportBatch.Kind.BANK_MT940,
    "camt": ImportBatch.Kind.BANK_CAMT,
    "elixir": ImportBatch.Kind.BANK_ELIXIR,
}


def _orient(transactions: list[BankTransaction], accounts: Accounts) -> None:
    """An Elixir-0 operation is a credit when paid to an account of the community or its
    premises (incl. virtual ones); any other is a debit of the community's account."""
    for transaction in transactions:
        if (
            transaction.credit_if_paid_to_own
            and transaction.amount
            and accounts.get(transaction.account) is None
        ):
            transaction.amount = -transaction.amount


def finish_bank(
    preview, statement: Statement, accounts: Accounts, community_id, *, source: str = ""
) -> None:
    """Match the statement's transactions; ``source`` names where references are the
    sender's own and stable ("api": the integrator's; MT940 files are known by their kind)."""
    transactions = statement.transactions
    _orient(transactions, accounts)
    occurrences: dict[str, int] = {}
    by_payer_reference: dict[str, list[BankTransaction]] = {}
    for transaction in transactions:
        if not transaction.reference and not transaction.errors and not transaction.status:
            base = synthetic_reference(transaction, 0)
            occurrences[base] = occurrences.get(base, 0) + 1
            transaction.reference = synthetic_reference(transaction, occurrences[base] - 1)
            if transaction.payer_reference:
                by_payer_reference.setdefault(transaction.payer_reference, []).append(transaction)
    references = [t.reference for t in transactions if t.reference]
    # A batch the bank booked as one entry is one payment in MT940 (its reference) and one per
    # transfer in camt.053 (the entry's reference, "/1", "/2"…): either way booked is known.
    batch_ids = {
        t.reference: [t.batch] if t.batch else [f"{t.reference}/1"]
        for t in transactions
        if t.reference and not t.reference.startswith("H-")
    }
    wanted = list(dict.fromkeys([*references, *(i for ids in batch_ids.values() for i in ids)]))
    found: dict[str, tuple[datetime.date, Decimal]] = {}
    for start in range(0, len(wanted), 5000):
        for reference, booked_on, amount in Payment.objects.filter(
            bank_transaction_id__in=wanted[start : start + 5000]
        ).values_list("bank_transaction_id", "booked_on", "amount"):
            found[reference] = (booked_on, amount)
    known = {r for r in references if r in found or any(i in found for i in batch_ids.get(r, ()))}
    # Earlier imports kept the payer's reference as the transaction's id when the bank
    # gave none; such a payment is still known by it, on the same day and for the same amount.
    if by_payer_reference:
        for reference, booked_on, amount in Payment.objects.filter(
            bank_transaction_id__in=list(by_payer_reference)
        ).values_list("bank_transaction_id", "booked_on", "amount"):
            for transaction in by_payer_reference[reference]:
                if (transaction.booked_on, transaction.amount) == (booked_on, amount):
                    known.add(transaction.reference)
    row_communities = {community_id} if community_id else set()
    for transaction in transactions:
        owner = accounts.get(transaction.account)
        if owner:
            row_communities.add(owner.community_id)
    titles = _TitleMatcher(row_communities)
    seen: set[str] = set()
    for transaction in transactions:
        row = ImportRow(line=transaction.line, cells=_bank_cells(transaction))
        row.errors.extend(transaction.errors)
        _payment_row(row, transaction, accounts, titles, community_id, known, seen)
        _same_reference_same_payment(row, transaction, found)
        row.other_dates = transaction.other_dates
        preview.rows.append(row)
        if row.obj is not None and row.obj.community_id:
            preview.communities.add(row.obj.community_id)
    source = _OWN_REFERENCES.get(preview.kind, source)
    _booked_from_another_export(preview.rows, set(references), source)


# Titles this long agree when one is the other cut short: a bank may cut what another export
# of the same account writes whole (Elixir carries 4 × 35 characters, MT940 subfields 27 each).
# Shorter ones must be equal: "Lokal 1" and "Lokal 12" are two payments.
_TITLE_CUT_MIN = 32


@dataclass(eq=False)
class _BookedPayment:
    """A payment booked from another export, as the cross-format check compares it."""

    payer_account: str
    title: str  # text_key
    payer_name: str  # text_key
    # Where its reference is the sender's own ("mt940": the bank's, "api": the integrator's):
    # another payment of that source with a reference of its own is another operation.
    source: str
    # Booked from a bank's CSV (or pushed by the API): such a payment may be on the payer's
    # order date (Strefa's rule for the banks' CSV before, an integrator's choice).
    from_csv: bool = False


def _booked_source(batch_kind: str | None, upload_id: int | None, reference: str) -> str:
    if not reference or reference.startswith("H-") or batch_kind is None:
        return ""
    if batch_kind in _OWN_REFERENCES:
        return _OWN_REFERENCES[batch_kind]
    # A batch of bank payments applied from no uploaded file: the integration API's push.
    return SOURCE_API if batch_kind == ImportBatch.Kind.BANK_CSV and upload_id is None else ""


def _same_title_and_payer(payment: Payment, booked: _BookedPayment) -> bool:
    title = text_key(payment.title)
    shorter, longer = sorted((title, booked.title), key=len)
    if shorter != longer and not (len(shorter) >= _TITLE_CUT_MIN and longer.startswith(shorter)):
        return False
    # One export writes the payer's name alone, another with the address after it, a third
    # cuts it at 27 characters: a name agrees with the start of the other. Unknown agrees.
    name = text_key(payment.payer_name)
    shorter, longer = sorted((name, booked.payer_name), key=len)
    return longer.startswith(shorter)


SOURCE_API = "api"
# Statements whose every operation has the bank's own reference (MT940 after "//", camt.053's
# AcctSvcrRef): two of one kind with different references are two operations.
_OWN_REFERENCES = {
    ImportBatch.Kind.BANK_MT940: "mt940",
    ImportBatch.Kind.BANK_CAMT: "camt",
}


def _booked_from_another_export(
    rows: list[ImportRow], references: set[str], source: str = ""
) -> None:
    """Skip a transfer booked before from another export of the account (MT940 after CSV, or
    another bank's CSV layout): its id differs (the bank's reference in one, a content hash or
    another column in the other), so it is recognised by its content: the same community, day
    and amount, and the same payer's account or, where either export omits it (cash paid in,
    internal transfers, some banks' CSV), the same title and payer's name. Each booked payment
    whose id is not in this file stands for one row."""
    rows = [row for row in rows if row.will_create]
    if not rows:
        return
    booked: dict[tuple, list[_BookedPayment]] = {}
    for (
        community_id,
        booked_on,
        amount,
        payer_account,
        title,
        name,
        reference,
        batch_kind,
        upload_id,
    ) in (
        Payment.objects.filter(
            community_id__in={row.obj.community_id for row in rows},
            booked_on__range=(
                min(day for r in rows for day in (r.obj.booked_on, *r.other_dates)),
                max(day for r in rows for day in (r.obj.booked_on, *r.other_dates)),
            ),
            amount__in={row.obj.amount for row in rows},
            source=Payment.Source.BANK,
        )
        .order_by("pk")
        .values_list(
            "community_id",
            "booked_on",
            "amount",
            "payer_account",
            "title",
            "payer_name",
            "bank_transaction_id",
            "import_batch__kind",
            "import_batch__upload_id",
        )
    ):
        if reference in references:
            continue
        booked.setdefault((community_id, booked_on, amount), []).append(
            _BookedPayment(
                payer_account=payer_account,
                title=text_key(title),
                payer_name=text_key(name),
                source=_booked_source(batch_kind, upload_id, reference),
                from_csv=batch_kind == ImportBatch.Kind.BANK_CSV,
            )
        )
    if not booked:
        return
    by_account = _(
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota i rachunek "
        "zleceniodawcy) – pominięto."
    )
    by_content = _(
        "Ta wpłata jest już zaksięgowana z innego wyciągu (ten sam dzień, kwota, tytuł "
        "i zleceniodawca) – pominięto."
    )

    def same_account(payment, candidate) -> bool:
        return bool(payment.payer_account) and candidate.payer_account == payment.payer_account

    def same_content(payment, candidate) -> bool:
        if payment.payer_account and candidate.payer_account:
            return False  # both name the payer's account, and the accounts differ
        return _same_title_and_payer(payment, candidate)

    # The booking day first, then the row's order day, where only a payment Strefa booked
    # from a bank's CSV by that day (before the booking day was the rule) may be this one; and
    # payers' accounts first, so that a row matched by its content cannot take the booked
    # payment that another row of the file is by its account.
    passes = [
        (by_order_day, test, notice)
        for by_order_day in (False, True)
        for test, notice in ((same_account, by_account), (same_content, by_content))
    ]
    for by_order_day, test, notice in passes:
        for row in rows:
            if row.notice:
                continue
            payment = row.obj
            days = row.other_dates if by_order_day else (payment.booked_on,)
            for day in days:
                pool = booked.get((payment.community_id, day, payment.amount), [])
                # Two operations with references of one sender's own are two operations.
                own = source if not payment.bank_transaction_id.startswith("H-") else ""
                found = next(
                    (
                        c
                        for c in pool
                        if not (own and c.source == own)
                        and (c.from_csv or not by_order_day)
                        and test(payment, c)
                    ),
                    None,
                )
                if found is not None:
                    pool.remove(found)
                    row.notice = notice
                    break


def _same_reference_same_payment(row: ImportRow, transaction: BankTransaction, found) -> None:
    """A reference booked before names that operation: with another amount or day it is a
    file edited by hand, a broken export or an integrator's mistake, and nothing is booked."""
    booked = found.get(transaction.reference)
    if booked is None or row.errors or not row.notice or transaction.amount is None:
        return
    booked_on, amount = booked
    if transaction.amount <= 0 or transaction.reversal or transaction.status:
        return  # a debit or a reversal is no payment; its notice says so
    if amount == transaction.amount and booked_on in (
        transaction.booked_on,
        *transaction.other_dates,
    ):
        return
    row.notice = ""
    row.errors.append(
        RowError(
            "conflict_with_booked",
            _(
                "Transakcja o tym identyfikatorze jest już zaksięgowana: %(day)s, %(amount)s; "
                "ta sama transakcja nie może mieć innej daty ani kwoty. Niczego nie zapisano."
            )
            % {"day": f"{booked_on:%d.%m.%Y}", "amount": format_money(amount)},
        )
    )


def _bank_cells(transaction: BankTransaction) -> dict[str, str]:
    return {
        "data": f"{transaction.booked_on:%d.%m.%Y}" if transaction.booked_on else "",
        "kwota": str(transaction.amount).replace(".", ",") if transaction.amount else "",
        "tytul": transaction.title,
        "nadawca": transaction.payer_name,
        "rachunek_nadawcy": format_nrb(transaction.payer_account)
        if transaction.payer_account
        else "",
        "rachunek_odbiorcy": format_nrb(transaction.account) if transaction.account else "",
    }


def _payment_row(row, transaction, accounts, titles, community_id, known, seen) -> None:
    errors = row.errors
    if transaction.status and not errors:
        # camt.053: "PDNG" (pending) or "INFO" entries are not booked on the account (yet).
        row.notice = _("Operacja niezaksięgowana (status %(status)s) – pominięto.") % {
            "status": transaction.status
        }
        return
    reference = transaction.reference
    if reference and reference in seen:
        errors.append(
            RowError("duplicate_in_batch", _("Identyfikator transakcji powtarza się w pliku."))
        )
    seen.add(reference)
    if errors or transaction.amount is None or transaction.booked_on is None:
        if not errors:
            errors.append(RowError("missing_date_or_amount", _("Brak daty lub kwoty.")))
        return
    if transaction.amount == 0:
        row.notice = _("Kwota zerowa – pominięto.")
        return
    if transaction.reversal:
        # "RD" (a debit reversed) is money back, not a resident's payment; "RC" takes back a
        # credit that may have been imported as a payment, which only the office can undo.
        row.notice = _("Storno operacji (korekta banku) – pominięto.")
        if transaction.amount < 0:
            row.warnings.append(
                _(
                    "Bank cofnął wpływ %(amount)s; jeśli był zaimportowany jako wpłata, "
                    "usuń lub popraw tę wpłatę."
                )
                % {"amount": format_money(-transaction.amount)}
            )
        return
    if transaction.amount < 0:
        row.notice = _("Obciążenie rachunku (wypłata) – pominięto.")
        if transaction.credit_if_paid_to_own and accounts.get(transaction.payer_account) is None:
            # Neither side is the community's: an outgoing transfer of an account not entered
            # in Strefa, or a payment to a virtual account not entered at its premises.
            row.warnings.append(
                _(
                    "Ani rachunek odbiorcy %(account)s, ani rachunek nadawcy nie jest rachunkiem "
                    "wspólnoty ani lokalu, więc operację pominięto jako wypłatę. Jeśli to wpłata "
                    "na rachunek wirtualny, wpisz go przy lokalu i wczytaj plik ponownie."
                )
                % {"account": format_nrb(transaction.account)}
            )
        return
    payer_account = transaction.payer_account
    if payer_account:
        try:
            payer_account = check_account(payer_account, label=_("Rachunek zleceniodawcy"))
        except ValueError as error:
            # The payer's bank wrote it; the money arrived anyway, so only a warning.
            row.warnings.append(str(error))
    recipient = transaction.account
    if recipient:
        try:
            recipient = check_account(recipient, label=_("Rachunek odbiorcy"))
        except ValueError as error:
            errors.append(str(error))
            return
    owner = accounts.get(recipient)
    premises, fund, match = None, "", ""
    if owner is not None and owner.premises is not None:
        premises, match = owner.premises, CONFIDENCE_ACCOUNT
    if owner is not None and owner.premises is None:
        fund = owner.fund
    if premises is None:
        # Mass payments: the premises' virtual account written in the details or the title.
        text = f"{transaction.details} {transaction.title}"
        for account in accounts_in(text):
            found = accounts.get(account)
            if found is not None and found.premises is not None and account != payer_account:
                premises, match, owner = found.premises, CONFIDENCE_VIRTUAL, found
                break
    target_community = owner.community_id if owner is not None else community_id
    if owner is None and recipient and community_id:
        row.warnings.append(
            _("Rachunek odbiorcy %(account)s nie jest rachunkiem żadnego lokalu.")
            % {"account": format_nrb(recipient)}
        )
    if target_community is None:
        errors.append(
            RowError(
                "account_unknown",
                _(
                    "Rachunek odbiorcy %(account)s nie należy do żadnej wspólnoty, którą "
                    "obsługujesz; wybierz wspólnotę w formularzu importu."
                )
                % {"account": format_nrb(recipient) if recipient else _("(brak)")},
            )
        )
        return
    if premises is None and not fund:
        premises, match = titles.find(target_community, transaction.title)
        if premises is None and match:
            row.warnings.append(match)
            match = ""
    if reference in known:
        row.notice = _("Transakcja zaimportowana wcześniej – pominięto.")
        return
    row.match = match
    row.obj = Payment(
        premises=premises,
        community_id=target_community,
        booked_on=transaction.booked_on,
        amount=transaction.amount,
        title=transaction.title[:255],
        source=Payment.Source.BANK,
        bank_transaction_id=reference[:100],
        payer_name=transaction.payer_name[:200],
        payer_account=payer_account[:34],
        recipient_account=recipient[:34],
        fund=fund,
        match=_match_code(match),
    )


def _match_code(match: str) -> str:
    if match == CONFIDENCE_ACCOUNT:
        return Payment.Match.ACCOUNT
    if match == CONFIDENCE_VIRTUAL:
        return Payment.Match.VIRTUAL
    if match:
        return Payment.Match.TITLE
    return ""
