"""Polish bank statements (MT940 and the banks' CSV exports) as a list of transactions.

App-independent: this module knows the formats, not Strefa's models. Matching the
transactions to premises is ``finance.imports``'s job.

MT940 (SWIFT, as the Polish banks export it, "wyciąg dzienny STA"): statements start at
``:20:``, ``:25:`` is the account (``/PL`` + NRB, ``PL`` + NRB or the bare NRB), ``:61:`` a
transaction line (value date, booking date, ``C``/``D``/``RC``/``RD``, amount with a decimal
comma, ``N`` + type code, the customer reference, ``//`` + the bank reference), ``:86:`` the
details (ING writes two: the operation code, then the subfields). Only the bank's reference
after ``//`` identifies a transaction; the one before it is the payer's. ``RC``/``RD`` are
reversals, not payments. The details are structured into subfields marked by a separator and
two digits; the separator differs by bank (``~`` mBank, ING, PKO BP (iPKO biznes), Pekao,
Millennium, Alior, cooperative banks' "SGB/BPS" layout; ``<`` Santander and PKO BP's older
MultiCash export; ``^`` BNP Paribas; ``+`` some) and is detected from the text. The subfield
numbers follow the common Polish layout (ZBP/MultiCash):

* ``00`` operation description, ``10`` operation number,
* ``20``–``25`` title (``26`` continues it in some banks),
* ``27``–``29`` counterparty name and address (Pekao, Millennium, cooperative banks),
* ``30`` counterparty bank sort code (8 digits), ``31`` account number (16 digits, or the
  whole NRB), ``32``–``33`` counterparty name, ``34`` transaction code, ``38`` counterparty IBAN,
* ``60``–``63`` further information: address, and for mass payments (rachunki wirtualne) the
  virtual account the payer paid to.

A per-bank profile (found from the sort code in ``:25:``) says which subfields hold the title
and the payer's name; every other text of the transaction is searched for virtual accounts.

CSV: mBank "Lista operacji" (``#``-prefixed headers below a preamble with the account and a
``#Waluta;#Wpływy;#Wydatki`` summary; the current export has one ``#Opis operacji`` column and
a ``#Rachunek`` label, not a number), PKO BP iPKO (``Opis transakcji`` followed by unnamed
``Klucz: wartość`` cells), ING (a footer line and card blocks are no operations), Pekao,
Millennium (separate ``Uznania``/``Obciążenia`` columns) and Strefa's own simple layout are
read through header aliases (``lib.imports.read_table``); an operation is dated by the day the
bank booked it ("Data księgowania"), as in MT940 and camt.053, the order date ("Data operacji")
only where no booking date is given, and kept beside it (``other_dates``); Santander Bank
Polska's export has no header row and is recognised by its first line (see
``_parse_santander``).

camt.053 (ISO 20022's XML statement, which the banks export beside MT940): see ``parse_camt``;
read with defusedxml, so a file with a DTD or entities (an "XML bomb") is refused unread.

Elixir-0 (KIR's domestic clearing format, which banks also give as an account history): one
operation a line, comma-separated, text in double quotes, ``|`` between the lines (35
characters each) of a multi-line text; see ``parse_elixir``.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import (
    MAX_ROWS,
    FileError,
    RowError,
    RowValueError,
    clean_text,
    decode,
    fold,
    parse_decimal,
    read_grid,
    read_table,
    split_lines,
)

AMOUNT = {"max_digits": 12, "decimal_places": 2}
NRB_RE = re.compile(r"(?<!\d)(?:PL)?\s?(\d{2}(?:\s?\d{4}){6})(?!\d)")


@dataclass
class BankTransaction:
    line: int
    reference: str = ""  # the bank's; empty when the bank gives none
    booked_on: datetime.date | None = None  # the day the bank booked it on the account
    # Other days the statement names for it (the payer's order date, the value date): a
    # bank's CSV booked before by one of them is still this operation (see finance.imports).
    other_dates: tuple[datetime.date, ...] = ()
    amount: Decimal | None = None  # positive: credit (wpływ); negative: debit
    title: str = ""
    payer_name: str = ""
    payer_account: str = ""
    account: str = ""  # the account paid to: the statement's, or a virtual one
    details: str = ""  # every other text, searched for virtual accounts
    reversal: bool = False  # MT940 "RC"/"RD": the bank took back an earlier operation
    payer_reference: str = ""  # MT940: the payer's own reference, not unique
    errors: list[str] = field(default_factory=list)
    raw: dict[str, str] = field(default_factory=dict)  # what the preview shows
    # Elixir-0: the file says not which side is the account holder's, so the operation is a
    # credit only when paid to an account of the community or its premises (the app knows).
    credit_if_paid_to_own: bool = False
    # camt.053: an entry's status other than BOOK ("PDNG", "INFO"): not booked, not a payment.
    status: str = ""
    # camt.053: the bank's reference of the entry that booked several transfers as one (a
    # batch); another export may write the batch as one operation under that reference.
    batch: str = ""


@dataclass
class Statement:
    format: str  # "mt940" / "csv" / "elixir" / "camt"
    bank: str = ""
    accounts: list[str] = field(default_factory=list)  # the statement's own accounts (NRB)
    transactions: list[BankTransaction] = field(default_factory=list)
    encoding: str = ""


# --- Accounts -------------------------------------------------------------------------------


def compact_account(value: str) -> str:
    """Digits of an account as written (``/PL61 1090…`` → ``61109…``); foreign IBANs kept."""
    # Spreadsheet exports quote numbers with apostrophes so Excel keeps them as text.
    text = "".join(str(value).split()).upper().strip("'\"").lstrip("/")
    if text.startswith("PL") and text[2:].isdigit():
        return text[2:]
    return text


def nrb_from_parts(sort_code: str, number: str) -> str:
    """An NRB from a sort code (8 digits) and an account number (16), check digits computed."""
    bban = f"{sort_code}{number}"
    if len(bban) != 24 or not bban.isdigit():
        return ""
    check = 98 - int(bban + "252100") % 97  # "PL" = 25 21, then "00"
    return f"{check:02d}{bban}"


def accounts_in(text: str) -> list[str]:
    """Every 26-digit account number written in ``text`` (spaces and ``PL`` allowed)."""
    return [match.replace(" ", "") for match in NRB_RE.findall(text)]


def bank_of(account: str) -> str:
    digits = compact_account(account)
    if len(digits) != 26 or not digits.isdigit():
        return ""
    code = digits[2:6]
    for prefixes, name in _BANKS:
        if code in prefixes or any(code.startswith(p) for p in prefixes if len(p) < 4):
            return name
    return ""


_BANKS = [
    (("1020",), "PKO BP"),
    (("1240",), "Bank Pekao"),
    (("1140",), "mBank"),
    (("1050",), "ING Bank Śląski"),
    (("1090",), "Santander Bank Polska"),
    (("1160",), "Bank Millennium"),
    (("1600", "1750", "2030"), "BNP Paribas"),
    (("2490",), "Alior Bank"),
    (("8", "9"), "bank spółdzielczy"),
]


# --- MT940 ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mt940Profile:
    title: tuple[str, ...] = ("20", "21", "22", "23", "24", "25", "26")
    name: tuple[str, ...] = ("32", "33")
    name_fallback: tuple[str, ...] = ("27", "28", "29")


_DEFAULT_PROFILE = Mt940Profile()
# Banks whose layout differs from the common one (from their published format descriptions).
_PROFILES = {
    # Pekao and the cooperative banks write the counterparty's name in 27–29, address in 60+.
    "Bank Pekao": Mt940Profile(name=("27", "28", "29"), name_fallback=("32", "33")),
    "bank spółdzielczy": Mt940Profile(name=("27", "28"), name_fallback=("32", "33")),
    # mBank and ING continue long titles in 26 and keep 27–29 for the payer.
    "mBank": Mt940Profile(name=("32", "33"), name_fallback=("27", "28", "29")),
}

# The tags of MT940 (and MT942, which some banks export under the same name); ":NS:" is the
# Polish banks' non-standard field. Any other ":NN:" at the start of a line is text: :86: is cut
# every 65 characters wherever that falls, e.g. in "godz. 10:30:00".
_TAG_LINE = re.compile(r"^:(20|21|25P?|28C?|60[FM]|61|62[FM]|64|65|86|13D?|34F|90[CD]|NS):(.*)$")
_LINE_61 = re.compile(
    r"^(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(?:,\d*)?)(?P<type>[NSF][A-Z0-9]{3})(?P<ref>(?:(?!//)[^\n])*)"
    r"(?://(?P<bankref>[^\n]*))?(?:\n(?P<supplement>.*))?$",
    re.S,
)
_SEPARATORS = "~<^+?"


def looks_like_mt940(text: str) -> bool:
    head = text.lstrip("\ufeff\x01 \r\n")[:4000]
    return (
        bool(re.search(r"(^|\n)\s*:(20|25):", head))
        and ":61:" in text
        or head.startswith(("{1:", ":20:"))
    )


def _fields(text: str) -> list[list[str]]:
    fields: list[list[str]] = []
    for raw in split_lines(text):
        # Trailing spaces stay: banks cut long :86: texts at a fixed width, even between words.
        line = raw.strip("\x01\x03\x1a")
        match = _TAG_LINE.match(line.rstrip())
        if match:
            fields.append([match[1], line[match.end(1) + 1 :]])
        elif not line.strip() or line.startswith(("{", "-}")) or line.strip() == "-":
            # SWIFT block headers ({1:…}{2:…}{4:) and block ends (-}) carry no data.
            if line.startswith("{") and ":20:" in line:
                fields.append(["20", line.split(":20:", 1)[1]])
            continue
        elif fields:
            fields[-1][1] += "\n" + line
    return fields


def subfields(details: str) -> tuple[str, dict[str, str]]:
    """The operation code and the ``:86:`` subfields (``~20``, ``<20``, ``^20``…)."""
    text = details.replace("\n", "")
    counts = {sep: len(re.findall(re.escape(sep) + r"\d\d", text)) for sep in _SEPARATORS}
    separator = max(counts, key=counts.get)
    if counts[separator] < 2 and not re.match(r"^\d{3}" + re.escape(separator) + r"\d\d", text):
        return "", {}
    parts = re.split(re.escape(separator) + r"(\d\d)", text)
    result: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        result[code] = result.get(code, "") + value
    return parts[0].strip(), result


def _entry_date(value: datetime.date, entry: str | None) -> datetime.date:
    if not entry:
        return value
    month, day = int(entry[:2]), int(entry[2:])
    for year in (value.year, value.year + 1, value.year - 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            continue
        if abs((candidate - value).days) < 180:
            return candidate
    return value


def parse_mt940(text: str) -> Statement:
    statement = Statement(format="mt940")
    current_account = ""
    last: BankTransaction | None = None
    number = 0
    # A transaction's :86: fields, read once all are known: ING writes two, the operation
    # code (with /OCMT/ and the like) and then the subfields.
    details: list[tuple[BankTransaction, list[str], str]] = []
    # Opening balance and the sum of the operations since, to check against the closing one:
    # a file cut short (a broken download) or garbled ends with a balance that does not add up.
    opening: Decimal | None = None
    total = Decimal("0.00")
    statements = 0
    for tag, value in _fields(text):
        if tag in ("60F", "60M"):
            statements += 1
            opening, total = _balance(value), Decimal("0.00")
        elif tag in ("62F", "62M") and opening is not None:
            closing = _balance(value)
            if total is not None and closing is not None and opening + total != closing:
                raise balance_error(statements, opening, total, closing)
            opening = None
        if tag == "25":
            current_account = compact_account(value.split("\n")[0])
            if current_account and current_account not in statement.accounts:
                statement.accounts.append(current_account)
            last = None
        elif tag == "61":
            number += 1
            last = BankTransaction(line=number, account=current_account)
            statement.transactions.append(last)
            _read_61(last, value)
            details.append((last, [], bank_of(current_account)))
            if total is not None:
                total = None if last.amount is None else total + last.amount
        elif tag == "86" and last is not None:
            details[-1][1].append(value)
        elif tag in ("20", "62F", "62M"):
            last = None
    for transaction, values, bank in details:
        if values:
            _read_86(transaction, values, bank)
    if not statement.transactions:
        raise FileError(_("Wyciąg MT940 nie zawiera żadnych transakcji."))
    banks = {bank_of(account) for account in statement.accounts} - {""}
    statement.bank = ", ".join(sorted(banks))
    return statement


_BALANCE = re.compile(r"^(?P<mark>[CD])\d{6}[A-Z]{3}(?P<amount>\d+(?:[,.]\d*)?)$")


def _balance(value: str) -> Decimal | None:
    """A :60F:/:62F: balance ("C250504PLN1000,00"), or None when it does not read."""
    match = _BALANCE.match("".join(value.split()))
    if not match:
        return None
    try:
        amount = parse_decimal(match["amount"].rstrip(",."), label="", **AMOUNT)
    except ValueError:
        return None
    return -amount if match["mark"] == "D" else amount


def balance_error(number: int, opening: Decimal, total: Decimal, closing: Decimal) -> FileError:
    """A statement whose operations do not take its opening balance to its closing one: a file
    cut short (a broken download) or garbled."""
    return FileError(
        _(
            "Wyciąg nr %(number)d w pliku: saldo początkowe %(opening)s i operacje "
            "na %(total)s nie dają salda końcowego %(closing)s. Plik jest "
            "niekompletny lub uszkodzony; pobierz go z banku ponownie."
        )
        % {
            "number": number,
            "opening": _amount_text(opening),
            "total": _amount_text(total),
            "closing": _amount_text(closing),
        }
    )


def _amount_text(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _read_61(transaction: BankTransaction, value: str) -> None:
    match = _LINE_61.match(value.strip())
    transaction.raw["61"] = clean_text(value)
    if not match:
        transaction.errors.append(
            _("Nie można odczytać linii :61: „%(value)s”.") % {"value": clean_text(value)[:80]}
        )
        return
    raw_date = match["value"]
    try:
        value_date = datetime.date(2000 + int(raw_date[:2]), int(raw_date[2:4]), int(raw_date[4:6]))
    except ValueError:
        transaction.errors.append(
            _("Nieprawidłowa data „%(value)s” w linii :61:.") % {"value": match["value"]}
        )
        return
    transaction.booked_on = _entry_date(value_date, match["entry"])
    if value_date != transaction.booked_on:
        transaction.other_dates = (value_date,)
    try:
        amount = parse_decimal(match["amount"].rstrip(","), label=_("Kwota"), **AMOUNT)
    except ValueError as error:
        transaction.errors.append(str(error))
        return
    transaction.amount = -amount if match["mark"] in ("D", "RC") else amount
    transaction.reversal = match["mark"].startswith("R")
    # Only the bank's reference (after "//") names one operation; the one before it is the
    # payer's ("Reference for the Account Owner"): "NOTPROVIDED", or "CZYNSZ" every month.
    bank_reference, payer_reference = (match["bankref"] or "").strip(), match["ref"].strip()
    if bank_reference.upper() != "NONREF":
        transaction.reference = bank_reference[:60]
    if payer_reference.upper() != "NONREF":
        transaction.payer_reference = payer_reference[:60]
    transaction.details = clean_text(match["supplement"] or "")


def _read_86(transaction: BankTransaction, values: list[str], bank: str) -> None:
    """The transaction's :86: fields: the first with subfields is read by the bank's profile,
    the text of the others only searched for virtual accounts."""
    transaction.raw["86"] = clean_text(" ".join(values))
    read = [(value, *subfields(value)) for value in values]
    structured = [(code, fields) for _value, code, fields in read if fields]
    plain = clean_text(" ".join(value for value, _code, fields in read if not fields))
    if not structured:
        transaction.title = plain[:255]
        transaction.details = clean_text(f"{transaction.details} {plain}")
        return
    code, fields = structured[0]
    profile = _PROFILES.get(bank, _DEFAULT_PROFILE)

    def joined(codes) -> str:
        # Banks cut one long text into fixed-width subfields, even mid-word: join as is.
        return clean_text("".join(fields.get(c, "") for c in codes))

    transaction.title = joined(profile.title)[:255] or clean_text(fields.get("00", ""))[:255]
    transaction.payer_name = (joined(profile.name) or joined(profile.name_fallback))[:200]
    payer = compact_account(fields.get("38", ""))
    if not payer:
        sort_code = "".join(fields.get("30", "").split())
        number = "".join(fields.get("31", "").split())
        if len(number) == 26:
            payer = number
        elif len(sort_code + number) == 26:
            payer = sort_code + number
        else:
            payer = nrb_from_parts(sort_code, number)
    transaction.payer_account = payer[:34]
    used = set(profile.title) | set(profile.name) | {"38", "30", "31"}
    rest = [fields[c] for c in sorted(fields) if c not in used]
    more = [" ".join([c, *f.values()]) for c, f in structured[1:]]
    transaction.details = clean_text(" ".join([transaction.details, plain, code, *rest, *more]))


# --- CSV / XLSX exports ---------------------------------------------------------------------

CSV_ALIASES = {
    # Strefa's own layout
    "id_transakcji": "reference",
    "data": "booked_on",
    "data_ksiegowania": "booked_on",
    "kwota": "amount",
    "tytul": "title",
    "nadawca": "payer_name",
    "rachunek_nadawcy": "payer_account",
    "rachunek_odbiorcy": "account",
    # common names in the banks' exports
    "id": "reference",
    "identyfikator": "reference",
    "identyfikator_transakcji": "reference",
    "nr_transakcji": "reference",
    "numer_transakcji": "reference",
    "numer_referencyjny": "reference",
    "nr_referencyjny": "reference",
    "referencje": "reference",
    # The day the payer ordered it: an operation is known by the day it was booked on the
    # account, as MT940 and camt.053 write it; this one only where the export has no other.
    "data_operacji": "ordered_on",
    "data_transakcji": "ordered_on",
    "kwota_operacji": "amount",
    "kwota_transakcji": "amount",
    # The amount in the account's currency, beside one in the currency sent (ING, Alior).
    "kwota_transakcji_waluta_rachunku": "account_amount",
    "kwota_w_walucie_rachunku": "account_amount",
    "kwota_zl": "amount",
    "uznania": "credit",
    "wplywy": "credit",
    "kwota_uznania": "credit",
    "obciazenia": "debit",
    "wydatki": "debit",
    "kwota_obciazenia": "debit",
    "tytul_przelewu": "title",
    "tytulem": "title",
    "tytul_operacji": "title",
    "zleceniodawca": "payer_name",
    "nazwa_nadawcy": "payer_name",
    "nadawca/odbiorca": "payer_name",
    "nadawca_/_odbiorca": "payer_name",
    "odbiorca/zleceniodawca": "payer_name",
    "dane_kontrahenta": "payer_name",
    "kontrahent": "payer_name",
    "nazwa_kontrahenta": "payer_name",
    "rachunek_zleceniodawcy": "payer_account",
    "rachunek_kontrahenta": "payer_account",
    "nr_rachunku": "payer_account",
    "numer_konta": "payer_account",
    "na_konto/z_konta": "payer_account",
    "rachunek_zrodlowy": "payer_account",
    "rachunek_nadawcy_/_odbiorcy": "payer_account",
    "rachunek_wirtualny": "account",
    "rachunek_docelowy": "account",
    # Alior "Historia operacji": the title is "Szczegóły transakcji", both accounts are named
    "szczegoly_transakcji": "title",
    "numer_rachunku_nadawcy": "payer_account",
    "numer_rachunku_odbiorcy": "account",
    "numer_rachunku/karty": "account",
    "rachunek": "account",
    "opis_transakcji": "description",
    "opis_operacji": "description",
    "opis": "description",
    "szczegoly": "description",
    "waluta": "currency",
    "kwota_blokady/zwolnienie_blokady": "blocked",  # ING: a card payment not booked yet
}
# The header has a date and an amount; mBank's summary block above it ("#Waluta;#Wpływy;
# #Wydatki;") has only amounts.
_AMOUNTS = ("account_amount", "amount", "credit", "debit")
_CSV_HINT = ({"booked_on", "ordered_on"}, set(_AMOUNTS))

# iPKO's description cells ("Tytuł: …") and similar key-value details.
_DETAIL_KEYS = {
    "tytul": "title",
    "tytul_przelewu": "title",
    "nazwa_nadawcy": "payer_name",
    "nazwa_zleceniodawcy": "payer_name",
    "nadawca": "payer_name",
    "rachunek_nadawcy": "payer_account",
    "rachunek_zleceniodawcy": "payer_account",
    "rachunek_odbiorcy": "account",
    "rachunek_wirtualny": "account",
    "numer_referencyjny": "reference",
}
_DETAIL = re.compile(r"^\s*([^:]{2,40}?)\s*:\s*(.*)$", re.S)


# Santander Bank Polska ("Santander internet" → Historia → eksport CSV): no header row. The
# first line describes the export: date of the export (RRRR-MM-DD), start of the period
# (DD-MM-RRRR), the account (written '26 digits so Excel keeps it as text), the holder's name and
# address, the currency, two balances and the number of operations. Each further line is one
# operation: booking date, operation date (DD-MM-RRRR), title, counterparty's name and address
# (an incoming transfer ends with the clearing system and its date, "ELIXIR 05-05-2025"), the
# counterparty's account, the amount (decimal comma; negative = debit), the balance after it
# and the operation's number within this export (not a bank reference: it changes with the
# period chosen, so such a payment is recognised again by date, amount, accounts and title).
_SANTANDER_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}$")
_SANTANDER_DATE = re.compile(r"\d{2}-\d{2}-\d{4}$")
_CLEARING_SUFFIX = re.compile(
    r"\s+(?:EXPRESS\s+ELIXIR|ELIXIR|SORBNET|BLUE\s*CASH)\s+\d{2}-\d{2}-\d{4}\s*$", re.I
)
SANTANDER = "Santander Bank Polska"


def _is_santander(first: list[str]) -> bool:
    cells = [str(v).strip() for v in first]
    return (
        len(cells) >= 8
        and bool(_SANTANDER_FIRST.match(cells[0]))
        and bool(_SANTANDER_DATE.match(cells[1]))
        and len(compact_account(cells[2])) == 26
        and compact_account(cells[2]).isdigit()
    )


def _parse_santander(lines: list[list[str]], encoding: str) -> Statement:
    first = [str(v).strip() for v in lines[0]]
    own = compact_account(first[2])
    statement = Statement(format="csv", bank=SANTANDER, accounts=[own], encoding=encoding)
    for number, values in enumerate(lines[1:], start=2):
        cells = [str(v).strip() for v in values] + [""] * 8
        if not any(cells):
            continue
        transaction = BankTransaction(line=number, account=own)
        transaction.raw = {
            "booked_on": cells[0],
            "title": cells[2],
            "payer_name": cells[3],
            "payer_account": cells[4],
            "amount": cells[5],
        }
        _csv_dates(transaction, cells[0], cells[1])
        try:
            transaction.amount = parse_decimal(cells[5], label=_("Kwota"), **AMOUNT)
        except ValueError as error:
            transaction.errors.append(str(error))
        transaction.title = clean_text(cells[2])[:255]
        transaction.payer_name = clean_text(_CLEARING_SUFFIX.sub("", cells[3]))[:200]
        transaction.payer_account = compact_account(cells[4])[:34]
        transaction.details = clean_text(cells[3])
        statement.transactions.append(transaction)
    if not statement.transactions:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    return statement


def _first_line(content: bytes) -> list[str]:
    """The cells of a CSV's first non-empty line, cheaply (only ASCII in it matters here)."""
    if content[:4] == b"PK\x03\x04":
        return []
    text = content[:4096].decode("cp1250", errors="replace")
    line = next((line for line in split_lines(text) if line.strip()), "")
    return next(csv.reader([line], delimiter=","), [])


def parse_csv(content: bytes) -> Statement:
    if _is_santander(_first_line(content)):
        lines, encoding, _delimiter = read_grid(content)
        rows = [values for values in lines if any(str(v).strip() for v in values)]
        return _parse_santander(rows, encoding)
    unknown_layout = _(
        "Nie rozpoznano układu wyciągu CSV: potrzebne są kolumny z datą i kwotą "
        "(np. „Data operacji”, „Kwota”)."
    )
    table = read_table(
        content, aliases=CSV_ALIASES, header_hint=_CSV_HINT, header_missing=unknown_layout
    )
    statement = Statement(format="csv", encoding=table.encoding)
    for line in table.preamble:
        for account in accounts_in(line):
            if account not in statement.accounts:
                statement.accounts.append(account)
    for row in table.rows:
        cells = row.cells
        if not _is_operation(cells):
            continue
        transaction = BankTransaction(line=row.line, raw=dict(cells))
        details = []
        for text in [cells.get("description", ""), *row.extra]:
            match = _DETAIL.match(text)
            key = _DETAIL_KEYS.get(fold(match[1])) if match else None
            if key and not cells.get(key):
                cells[key] = match[2].strip()
            else:
                details.append(text)
        transaction.reference = clean_text(cells.get("reference", ""))[:60]
        _csv_dates(transaction, cells.get("booked_on", ""), cells.get("ordered_on", ""))
        try:
            transaction.amount = _csv_amount(cells)
        except ValueError as error:
            transaction.errors.append(str(error))
        transaction.title = clean_text(cells.get("title", ""))[:255]
        if not transaction.title:
            transaction.title = clean_text(" ".join(details))[:255]
        transaction.payer_name = clean_text(cells.get("payer_name", ""))[:200]
        transaction.payer_account = compact_account(cells.get("payer_account", ""))[:34]
        transaction.account = _csv_own_account(cells.get("account", ""))
        transaction.details = clean_text(" ".join(details))
        statement.transactions.append(transaction)
    if not statement.transactions:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    banks = {bank_of(a) for a in statement.accounts} - {""}
    statement.bank = ", ".join(sorted(banks))
    return statement


def _csv_dates(transaction: BankTransaction, booked: str, ordered: str) -> None:
    """The booking date (as MT940 and camt.053 name the operation), else the order date; the
    order date is kept beside it: Strefa booked the banks' CSV rows by it before."""
    try:
        transaction.booked_on = parse_date(booked.strip() or ordered)
    except ValueError as error:
        transaction.errors.append(str(error))
        return
    if booked.strip() and ordered.strip():
        try:
            other = parse_date(ordered)
        except ValueError:
            return  # an order date the bank garbled changes nothing booked
        if other != transaction.booked_on:
            transaction.other_dates = (other,)


def _is_operation(cells: dict[str, str]) -> bool:
    """False for a line under the table that is no operation: a footer with neither a date nor
    an amount (ING: "Dokument ma charakter informacyjny…"), a label with a balance where the
    date goes (mBank: "#Saldo końcowe;;;;1 338,27 PLN;"), or a card payment the bank has only
    blocked (ING: "Kwota blokady" without "Kwota transakcji"; it comes booked later)."""
    date = (cells.get("booked_on", "") or cells.get("ordered_on", "")).strip()
    if date and not any(character.isdigit() for character in date):
        return False
    if any(cells.get(name, "").strip() for name in _AMOUNTS):
        return True
    if cells.get("blocked", "").strip():
        return False
    try:
        parse_date(date)
    except ValueError:
        return False
    return True


_ACCOUNT_NUMBER = re.compile(r"(?:[A-Z]{2})?\d[A-Z0-9]*")  # a wrong one is a row error later


def _csv_own_account(value: str) -> str:
    """The account a row was paid to; mBank's "#Rachunek" holds only a label of the own
    account ("mBiznes konto 6111 ... 0001"), which is no account number and is ignored."""
    found = accounts_in(value)
    if found:
        return found[0]
    compact = compact_account(value)[:34]
    return compact if _ACCOUNT_NUMBER.fullmatch(compact) else ""


def _csv_amount(cells: dict[str, str]) -> Decimal:
    for name in ("account_amount", "amount"):
        if cells.get(name, "").strip():
            return parse_decimal(cells[name], label=_("Kwota"), **AMOUNT)
    credit, debit = cells.get("credit", "").strip(), cells.get("debit", "").strip()
    if credit:
        return abs(parse_decimal(credit, label=_("Uznania"), **AMOUNT))
    if debit:
        return -abs(parse_decimal(debit, label=_("Obciążenia"), **AMOUNT))
    raise ValueError(_("Brak kwoty."))


def parse_date(value: str) -> datetime.date:
    text = str(value).strip()[:10] if len(str(value).strip()) > 10 else str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y%m%d", "%Y.%m.%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    raise RowValueError(
        "invalid_date", _("Nieprawidłowa data „%(value)s” (np. 10.05.2025).") % {"value": value}
    )


# --- Elixir-0 -------------------------------------------------------------------------------

# The fields of an Elixir-0 operation (KIR's description, as the banks publish it), numbered from
# 1: 1 operation type (110 transfer, incl. ZUS and tax payments; 210 direct debit; others),
# 2 date RRRRMMDD, 3 amount in grosze (digits only), 4 sender's bank sort code, 5 "0",
# 6 sender's account, 7 recipient's account (26 digits), 8 sender's name and address, 9
# recipient's name and address (up to 4 × 35 characters, lines split by "|"), 10 "0", 11
# recipient's bank sort code, 12 title (4 × 35, "|"), 13 and 14 empty, 15 classification
# ("51" ordinary transfer, "53" ZUS, "71" tax), 16 additional information (in a history
# export, where a bank fills it, its reference; not known to be unique, so kept like MT940's
# payer's reference). Missing trailing fields are empty, more fields are ignored.
_ELIXIR_TYPE = re.compile(r'^\s*"?\s*\d{3}\s*"?\s*,')
_ELIXIR_LINE = re.compile(r'^\s*"?\s*\d{3}\s*"?\s*,\s*"?\s*\d{8}\s*"?\s*(,|$)')
_ELIXIR_LINE_WIDTH = 35


def looks_like_elixir(text: str) -> bool:
    """Most of the first lines begin with a 3-digit operation type and an 8-digit date."""
    lines = [line for line in split_lines(text[:20000].lstrip("\ufeff")) if line.strip()][:20]
    return bool(lines) and sum(1 for line in lines if _ELIXIR_LINE.match(line)) * 2 >= len(lines)


def _elixir_text(value: str) -> str:
    return _joined_lines(value.split("|"), (_ELIXIR_LINE_WIDTH,))


def _joined_lines(lines: list[str], widths: tuple[int, ...]) -> str:
    """A multi-line text as one: a line cut at a full width goes on without a space (a word
    cut in two), a shorter one ended where its writer ended it."""
    text, previous = "", None
    for part in lines:
        length = len(previous.rstrip()) if previous is not None else 0
        if previous is not None and length not in widths and length < max(widths):
            text += " "
        text += part
        previous = part
    return clean_text(text)


def _elixir_account(value: str, sort_code: str, label: str) -> tuple[str, str]:
    """An account field as 26 digits (or 16 after the sort code field), or an error."""
    compact = compact_account(value)
    sort_code = "".join(sort_code.split()).strip('"')
    if len(compact) == 16 and compact.isdigit():
        compact = nrb_from_parts(sort_code, compact) or compact
    if len(compact) == 26 and compact.isdigit():
        return compact, ""
    return "", _("%(label)s „%(value)s” nie ma 26 cyfr.") % {
        "label": label,
        "value": clean_text(value)[:40],
    }


def parse_elixir(text: str) -> Statement:
    statement = Statement(format="elixir")
    lines = split_lines(text.lstrip("\ufeff"))
    if sum(1 for line in lines if line.strip()) > MAX_ROWS:
        raise FileError(
            _("Plik ma więcej niż %(max)d wierszy; podziel go na części.") % {"max": MAX_ROWS}
        )
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        transaction = BankTransaction(line=number, credit_if_paid_to_own=True)
        statement.transactions.append(transaction)
        _read_elixir(transaction, line)
    if not statement.transactions:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    return statement


def _read_elixir(transaction: BankTransaction, line: str) -> None:
    errors = transaction.errors
    transaction.raw = {"elixir": clean_text(line)[:300]}
    try:
        values = next(csv.reader([line], delimiter=",", strict=False))
    except csv.Error:
        errors.append(_("Pole jest za długie (ponad 128 KiB) albo cudzysłów nie jest zamknięty."))
        return
    cells = [value.strip() for value in values] + [""] * 16
    if not _ELIXIR_TYPE.match(line):
        errors.append(
            _(
                "Wiersz nie jest operacją Elixir-0: na początku powinien być kod operacji "
                "(np. 110), a po nim data (RRRRMMDD)."
            )
        )
        return
    try:
        transaction.booked_on = datetime.datetime.strptime(cells[1], "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        errors.append(
            RowValueError(
                "invalid_date",
                _("Nieprawidłowa data „%(value)s” (RRRRMMDD, np. 20251105).")
                % {"value": cells[1][:20]},
            ).row_error
        )
    amount = "".join(cells[2].split())
    if amount.isascii() and amount.isdigit() and len(amount.lstrip("0")) <= AMOUNT["max_digits"]:
        transaction.amount = Decimal(int(amount)).scaleb(-2)  # grosze: 35027 → 350.27
    else:
        errors.append(
            RowValueError(
                "invalid_amount",
                _("Nieprawidłowa kwota „%(value)s” (w groszach, same cyfry, np. 35027).")
                % {"value": cells[2][:20]},
            ).row_error
        )
    if cells[5]:
        transaction.payer_account, error = _elixir_account(
            cells[5], cells[3], _("Rachunek nadawcy")
        )
        if error:
            errors.append(RowError("invalid_account", error))
    if not cells[6]:
        errors.append(RowError("invalid_account", _("Brak rachunku odbiorcy.")))
    else:
        transaction.account, error = _elixir_account(cells[6], cells[10], _("Rachunek odbiorcy"))
        if error:
            errors.append(RowError("invalid_account", error))
    transaction.payer_name = _elixir_text(cells[7])[:200]
    transaction.title = _elixir_text(cells[11])[:255]
    transaction.payer_reference = clean_text(cells[15])[:60]
    transaction.details = clean_text(
        " ".join([_elixir_text(cells[8]), cells[0], cells[14], *cells[16:]])
    )[:2000]


# --- ISO 20022 camt.053 ---------------------------------------------------------------------

# camt.053 (BankToCustomerStatement, XML; the ZBP's recommendation for the Polish market and the
# banks' own descriptions follow ISO 20022's message definition, versions .001.02 to .001.13):
# Document/BkToCstmrStmt holds one Stmt per account and period. Stmt/Acct/Id/IBAN (or Othr/Id)
# is the account, Bal its balances (Tp/CdOrPrtry/Cd OPBD or PRCD opening, CLBD closing; Amt and
# CdtDbtInd), each Ntry one booking on it: Amt (with Ccy; never negative) and CdtDbtInd CRDT/
# DBIT, RvslInd true for a reversal, Sts BOOK (PDNG and INFO are not booked; .02–.07 write the
# code, .08 on wrap it in Cd), BookgDt and ValDt as Dt or DtTm, AcctSvcrRef the bank's
# reference, NtryDtls/TxDtls the transfers: one, or several for a batch booked as one entry,
# each with Refs (AcctSvcrRef, EndToEndId: the payer's, "NOTPROVIDED" when none), its amount
# (Amt from .03 on, AmtDtls/TxAmt/Amt in any), RltdPties (Dbtr, Cdtr, UltmtDbtr as Nm, or
# Pty/Nm from .08 on; DbtrAcct/CdtrAcct as Id/IBAN or Id/Othr/Id), RmtInf (Ustrd lines, or Strd
# with CdtrRefInf/Ref and AddtlRmtInf), AddtlTxInf; AddtlNtryInf describes the entry.
_CAMT_LINE_WIDTHS = (35, 140)  # ZBP: a title in 35-character lines; ISO: Ustrd is Max140Text
_CAMT_NOT_PROVIDED = {"", "NOTPROVIDED", "NONREF"}


def looks_like_xml(content: bytes) -> bool:
    head = content[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _xml_root(content: bytes):
    """The document's root with namespace prefixes dropped, and its namespace; read without
    DTDs or entities (no "billion laughs", no external files); a file that is no XML raises
    ``FileError``."""
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FileError(
            _(
                "Plik jest stroną HTML (np. zapisaną z przeglądarki), a nie wyciągiem. Pobierz "
                "z banku wyciąg MT940, camt.053 (XML) albo historię w CSV."
            )
        )
    try:
        try:
            root = fromstring(content, forbid_dtd=True)
        except ParseError:
            text = _xml_text_declared_wrongly(content)
            if text is None:
                raise
            root = fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise FileError(
            _(
                "Plik XML zawiera deklarację DTD lub encje, których wyciąg bankowy nie ma (tak "
                "wygląda np. „bomba XML”); ze względów bezpieczeństwa nie został wczytany."
            )
        ) from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise FileError(
            _(
                "Plik XML jest uszkodzony lub niekompletny (błąd w wierszu %(line)d, kolumnie "
                "%(column)d). Pobierz wyciąg z banku ponownie."
            )
            % {"line": line, "column": column + 1}
        ) from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = element.tag.rpartition("}")[2]
    return root, namespace


def _xml_text_declared_wrongly(content: bytes) -> str | None:
    """The text of an XML file whose bytes are not in the encoding it declares (a Windows-1250
    file that says, or implies, UTF-8), or None when that is not the fault."""
    try:
        content.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        text, _encoding = decode(content)
    except FileError:
        return None
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"), count=1)


def parse_camt(content: bytes) -> Statement:
    root, namespace = _xml_root(content)
    document = root if root.tag == "BkToCstmrStmt" else root.find(".//BkToCstmrStmt")
    if document is None:
        if root.find(".//BkToCstmrAcctRpt") is not None or root.tag == "BkToCstmrAcctRpt":
            raise FileError(
                _(
                    "To raport camt.052 (operacje w ciągu dnia, także niezaksięgowane), a nie "
                    "wyciąg. Pobierz z banku wyciąg dzienny camt.053."
                )
            )
        message = namespace.rpartition(":")[2] if namespace.startswith("urn:iso:") else ""
        if message:
            raise FileError(
                _(
                    "Plik XML to komunikat %(message)s, a nie wyciąg camt.053 (ISO 20022): nie "
                    "ma w nim elementu BkToCstmrStmt."
                )
                % {"message": clean_text(message)[:40]}
            )
        raise FileError(
            _(
                "Plik XML nie jest wyciągiem camt.053 (ISO 20022): nie ma w nim elementu "
                "BkToCstmrStmt (główny element pliku to „%(root)s”)."
            )
            % {"root": clean_text(root.tag)[:60]}
        )
    statement = Statement(format="camt")
    stmts = document.findall("Stmt")
    if not stmts:
        raise FileError(_("Plik camt.053 nie zawiera żadnego wyciągu (elementu Stmt)."))
    number = 0
    for index, stmt in enumerate(stmts, start=1):
        account = _camt_account(stmt.find("Acct"))
        if account and account not in statement.accounts:
            statement.accounts.append(account)
        total: Decimal | None = Decimal("0.00")
        for entry in stmt.findall("Ntry"):
            transactions = _camt_entry(entry, account, number)
            number += len(transactions)
            statement.transactions.extend(transactions)
            if transactions[0].status:
                continue
            if total is not None:
                entry_amount = _camt_signed(entry, entry)
                total = None if entry_amount is None else total + entry_amount
        opening = _camt_balance(stmt, ("OPBD", "PRCD"))
        closing = _camt_balance(stmt, ("CLBD",))
        if None not in (opening, closing, total) and opening + total != closing:
            raise balance_error(index, opening, total, closing)
    if len(statement.transactions) > MAX_ROWS:
        raise FileError(
            _("Plik ma więcej niż %(max)d operacji; podziel go na części.") % {"max": MAX_ROWS}
        )
    if not statement.transactions:
        raise FileError(_("Wyciąg camt.053 nie zawiera żadnych operacji."))
    banks = {bank_of(account) for account in statement.accounts} - {""}
    statement.bank = ", ".join(sorted(banks))
    return statement


def _text(element, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return clean_text("".join(found.itertext())) if found is not None else ""


def _camt_account(account) -> str:
    """An account element (Acct, DbtrAcct, CdtrAcct): its IBAN, or the Othr/Id it is given
    as (Polish banks write the NRB there too)."""
    if account is None:
        return ""
    return compact_account(_text(account, "Id/IBAN") or _text(account, "Id/Othr/Id"))[:34]


def _camt_amount(element) -> Decimal | None:
    """An Amt element, or None when there is none; an unreadable one raises ValueError."""
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    currency = (element.get("Ccy") or "PLN").strip().upper()
    if currency != "PLN":
        raise RowValueError(
            "invalid_amount",
            _("Kwota %(amount)s w walucie %(currency)s: importowane są tylko wpłaty w złotych.")
            % {"amount": text[:20], "currency": currency[:3]},
        )
    if not re.fullmatch(r"\d{1,18}(\.\d{1,5})?", text):
        raise RowValueError(
            "invalid_amount",
            _("Nieprawidłowa kwota „%(value)s” (np. 350.27).") % {"value": text[:20]},
        )
    return parse_decimal(text, label=_("Kwota"), allow_negative=False, **AMOUNT)


def _camt_signed(element, entry) -> Decimal | None:
    """The element's amount, negative for a debit (its own CdtDbtInd, else the entry's)."""
    try:
        amount = _camt_amount(element.find("Amt"))
    except ValueError:
        return None
    if amount is None:
        return None
    indicator = _text(element, "CdtDbtInd") or _text(entry, "CdtDbtInd")
    return -amount if indicator == "DBIT" else amount


def _camt_balance(stmt, codes: tuple[str, ...]) -> Decimal | None:
    for code in codes:
        for balance in stmt.findall("Bal"):
            if _text(balance, "Tp/CdOrPrtry/Cd") == code:
                return _camt_signed(balance, balance)
    return None


def _camt_date(element) -> datetime.date | None:
    """A BookgDt/ValDt: Dt (RRRR-MM-DD) or DtTm, a moment whose day is the one in Poland
    (23:30 UTC on 5 May is 6 May here); a moment without a zone is taken as written."""
    text = _text(element, "Dt")
    try:
        if text:
            return datetime.date.fromisoformat(text)
        text = _text(element, "DtTm")
        if not text:
            return None
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise RowValueError(
            "invalid_date",
            _("Nieprawidłowa data „%(value)s” (RRRR-MM-DD, np. 2025-05-05).")
            % {"value": text[:40]},
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.get_default_timezone())
    return moment.date()


def _camt_entry(entry, account: str, number: int) -> list[BankTransaction]:
    """One Ntry as one transaction, or one per TxDtls of a batch."""
    errors: list[str] = []
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")
    indicator = _text(entry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        errors.append(
            RowError(
                "invalid_amount",
                _("Brak oznaczenia uznania lub obciążenia (CdtDbtInd: CRDT lub DBIT)."),
            )
        )
    booked_on, other_dates = None, ()
    try:
        booked_on = _camt_date(entry.find("BookgDt")) or _camt_date(entry.find("ValDt"))
        value_date = _camt_date(entry.find("ValDt"))
    except ValueError as error:
        errors.append(str(error))
    else:
        if booked_on is None:
            errors.append(RowError("invalid_date", _("Brak daty księgowania (BookgDt).")))
        if value_date is not None and value_date != booked_on:
            other_dates = (value_date,)
    try:
        amount = _camt_amount(entry.find("Amt"))
        if amount is None:
            errors.append(RowError("invalid_amount", _("Brak kwoty.")))
    except ValueError as error:
        amount = None
        errors.append(str(error))
    reversal = _text(entry, "RvslInd").lower() in ("true", "1")
    reference = _text(entry, "AcctSvcrRef")
    details = entry.findall("NtryDtls/TxDtls")
    parts = [(amount, detail) for detail in details[:1]] or [(amount, None)]
    if len(details) > 1:
        parts = _camt_batch(entry, details, amount, errors)
    result = []
    own_references = [_text(detail, "Refs/AcctSvcrRef") for detail in details]
    distinct = len(set(own_references)) == len(details) and reference not in own_references
    for index, (part_amount, detail) in enumerate(parts, start=1):
        transaction = BankTransaction(
            line=number + index,
            account=account,
            booked_on=booked_on,
            other_dates=other_dates,
            reversal=reversal,
            status="" if status == "BOOK" else status or "?",
            errors=list(errors),
        )
        if part_amount is not None and indicator in ("CRDT", "DBIT"):
            transaction.amount = -part_amount if indicator == "DBIT" else part_amount
        if len(parts) == 1:
            transaction.reference = reference or _text(detail, "Refs/AcctSvcrRef")
        elif distinct and all(own_references):
            transaction.reference = own_references[index - 1]
        elif reference:
            transaction.reference = f"{reference}/{index}"
        if len(parts) > 1:
            transaction.batch = reference[:60]
        transaction.reference = transaction.reference[:60]
        _camt_details(transaction, entry, detail, credit=indicator != "DBIT")
        result.append(transaction)
    return result


def _camt_batch(entry, details, amount, errors) -> list[tuple[Decimal | None, object]]:
    """A batch entry's transfers with their own amounts, which must add up to the entry's."""
    amounts = []
    for detail in details:
        try:
            found = _camt_amount(detail.find("Amt")) or _camt_amount(
                detail.find("AmtDtls/TxAmt/Amt")
            )
        except ValueError as error:
            errors.append(str(error))
            found = None
        amounts.append(found)
    if amount is not None and None not in amounts and sum(amounts) != amount:
        errors.append(
            RowError(
                "invalid_amount",
                _(
                    "Operacja zbiorcza na %(amount)s: kwoty jej %(count)d przelewów dają razem "
                    "%(sum)s. Plik jest uszkodzony; pobierz go z banku ponownie."
                )
                % {
                    "amount": _amount_text(amount),
                    "count": len(amounts),
                    "sum": _amount_text(sum(amounts)),
                },
            )
        )
    elif None in amounts and not errors:
        errors.append(
            RowError(
                "invalid_amount",
                _("Operacja zbiorcza: przelew nr %(number)d nie ma kwoty (Amt).")
                % {"number": amounts.index(None) + 1},
            )
        )
    return list(zip(amounts, details, strict=True))


def _camt_details(transaction: BankTransaction, entry, detail, *, credit: bool) -> None:
    """Title, the other party (the payer of a credit, the payee of a debit) and the texts
    searched for a virtual account (the account a credit was paid to, when not the
    statement's own)."""
    parties = detail.find("RltdPties") if detail is not None else None
    side, other = ("Dbtr", "Cdtr") if credit else ("Cdtr", "Dbtr")
    name = (
        _text(parties, f"{side}/Nm")
        or _text(parties, f"{side}/Pty/Nm")
        or _text(parties, f"Ultmt{side}/Nm")
        or _text(parties, f"Ultmt{side}/Pty/Nm")
    )
    transaction.payer_name = name[:200]
    transaction.payer_account = _camt_account(
        parties.find(f"{side}Acct") if parties is not None else None
    )
    paid_to = _camt_account(parties.find(f"{other}Acct") if parties is not None else None)
    lines = [
        "".join(element.itertext())
        for element in (detail.findall("RmtInf/Ustrd") if detail is not None else [])
    ]
    title = _joined_lines(lines, _CAMT_LINE_WIDTHS)
    structured = []
    for strd in detail.findall("RmtInf/Strd") if detail is not None else []:
        structured += [
            _text(strd, "CdtrRefInf/Ref"),
            *(_text(doc, "Nb") for doc in strd.findall("RfrdDocInf")),
            *(clean_text(e.text or "") for e in strd.findall("AddtlRmtInf")),
        ]
    title = clean_text(" ".join([title, *structured]))
    additional = _text(detail, "AddtlTxInf")
    entry_info = _text(entry, "AddtlNtryInf")
    transaction.title = (title or additional or entry_info)[:255]
    end_to_end = _text(detail, "Refs/EndToEndId")
    if end_to_end.upper() not in _CAMT_NOT_PROVIDED:
        transaction.payer_reference = end_to_end[:60]
    address = " ".join(
        clean_text(e.text or "")
        for e in (parties.findall(f"{side}/PstlAdr/AdrLine") if parties is not None else [])
    )
    transaction.details = clean_text(
        " ".join(
            [
                paid_to if paid_to != transaction.account else "",
                address,
                additional,
                entry_info,
                _text(entry, "BkTxCd/Prtry/Cd"),
            ]
        )
    )[:2000]


# --- Entry point ----------------------------------------------------------------------------


def parse_statement(content: bytes) -> Statement:
    """An MT940, camt.053, Elixir-0 or CSV/XLSX statement; a file that cannot be read raises
    ``FileError``."""
    if not content.strip():
        raise FileError(_("Plik jest pusty."))
    if looks_like_xml(content):
        return parse_camt(content)
    if content[:4] != b"PK\x03\x04":
        if b"\x00" in content[:4096]:
            raise FileError(_("To nie jest wyciąg MT940, camt.053, plik CSV ani arkusz XLSX."))
        text, encoding = decode(content)
        if looks_like_mt940(text):
            statement = parse_mt940(text)
            statement.encoding = encoding
            return statement
        if looks_like_elixir(text):
            statement = parse_elixir(text)
            statement.encoding = encoding
            return statement
    return parse_csv(content)


def text_key(value: str) -> str:
    """A title or a name as two exports of one account compare it: MT940 cuts subfields at a
    fixed width (spaces doubled or lost at the cut), a CSV may write capitals without Polish
    letters or append the virtual account paid to; only letters and digits count."""
    return re.sub(r"[^0-9a-z]+", "", fold(NRB_RE.sub(" ", str(value))))


def synthetic_reference(transaction: BankTransaction, occurrence: int) -> str:
    """For a transaction the bank gave no reference: date, amount, accounts, title (and the
    payer's reference, when there is one)."""
    parts = [
        str(transaction.booked_on),
        str(transaction.amount),
        transaction.account,
        transaction.payer_account,
        fold(transaction.title),
        str(occurrence),
    ]
    if transaction.payer_reference:
        parts.append(transaction.payer_reference)
    raw = "|".join(parts)
    return "H-" + hashlib.sha256(raw.encode()).hexdigest()[:40]
