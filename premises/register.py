"""Register import: one row per person holding a premises, previewed, then applied whole.

The file goes through the shared pipeline like every other import: ``lib.imports`` reads it
(UTF-8/cp1250/cp852, semicolon or comma, any line endings, XLSX), the admin keeps it as an
``imports.StoredUpload`` behind a single-use token. The preview and the apply decide every row
the same way, in memory, from what a few queries read up front (communities, buildings, the
premises the rows name with their holders, bank accounts, people by login or contact, planned
logins); applying then writes the outcome in bulk with its history (a few statements per model,
whatever the row count) in one transaction with the upload row locked: all rows or none, and a
second confirmation of the same preview adds nothing.

A row names the community, the building, the premises and the person with their role and
contact data. Re-importing the same file updates instead of duplicating: a community is found
by NIP (or name), a building by community + street, a premises by building + number, a person by
login, else by first and last name with e-mail or phone, else by first and last name among the
holders of that premises; a role by person + premises + role. The logins the preview shows are
the logins the import creates (kept with the upload). Shares of the premises of each community
in the file must not exceed 1 and the preview warns where they do not sum to 1; a NIP of one
community with the name of another is a warning too. Office staff import only into the
communities assigned to them; only the office administrator creates communities. Every bad cell
gives a Polish message and the whole file is refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.logins import logins_generate
from accounts.models import User
from lib.collation import polish
from lib.imports import MAX_ROWS, FileError, fold, read_table

from . import imports
from .models import Building, Community, Ownership, Premises
from .resources import COLUMNS, _col

REQUIRED = ("community", "street", "number", "last_name")
KIND = "register"


@dataclass
class RowError:
    """One problem of a row: ``column`` is the spreadsheet's column name (or "")."""

    message: str
    column: str = ""
    code: str = "invalid"  # machine-readable, for the API

    def __str__(self):
        return f"{self.column}: {self.message}" if self.column else self.message


@dataclass
class RegisterRow:
    line: int  # line in the file (1 = header) or the API's row number
    cells: dict[str, str]  # keyed by COLUMNS
    errors: list[RowError] = field(default_factory=list)
    login: str = ""  # the person's login: existing or the one the import creates
    new_person: bool = False
    new_ownership: bool = False

    @property
    def name(self) -> str:
        return f"{self.cells.get('first_name', '')} {self.cells.get('last_name', '')}".strip()


@dataclass
class RegisterResult:
    file_name: str = ""
    rows: list[RegisterRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    planned_logins: dict[str, str] = field(default_factory=dict)
    applied: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[RegisterRow]:
        return [row for row in self.rows if row.errors]

    @property
    def new_count(self) -> int:
        return sum(1 for row in self.rows if row.new_ownership and not row.errors)

    @property
    def new_people_count(self) -> int:
        return sum(1 for row in self.rows if row.new_person and not row.errors)


# --- Reading ----------------------------------------------------------------------------------


# Header names of the offices' own sheets and of the accounting systems' exports.
_OFFICE_ALIASES = {
    "wspolnota_mieszkaniowa": "community",
    "nazwa_wspolnoty": "community",
    "nip": "community_nip",
    "budynek": "street",
    "adres_budynku": "street",
    "ulica": "street",
    "lokal": "number",
    "nr_lokalu": "number",
    "lokal_nr": "number",
    "nr_lok": "number",
    "powierzchnia": "area",
    "powierzchnia_uzytkowa": "area",
    "pow_uzytkowa": "area",
    "udzial_w_nieruchomosci_wspolnej": "share",
    "udzial_w_czesciach_wspolnych": "share",
    "rachunek_lokalu": "bank_account",
    "rachunek_indywidualny": "bank_account",
    "nr_rachunku": "bank_account",
    "adres_e_mail": "email",
    "tel": "phone",
    "nr_telefonu": "phone",
    "telefon_komorkowy": "phone",
}


def _aliases() -> dict[str, str]:
    aliases = dict(_OFFICE_ALIASES)
    aliases.update({fold(key): key for key in COLUMNS})
    aliases.update({fold(str(label)): key for key, label in COLUMNS.items()})
    return aliases


def register_read(content: bytes) -> list[RegisterRow]:
    """The rows of a register file; raises FileError.

    The header is found below a title row, as in every import (``lib.imports.read_table``).
    """
    table = read_table(
        content,
        aliases=_aliases(),
        required=REQUIRED,
        max_rows=MAX_ROWS,
        labels={key: _col(key) for key in REQUIRED},
        header_missing=_("Brak kolumn: %(columns)s. Pobierz wzór przez eksport rejestru."),
    )
    rows = []
    for source in table.rows:
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(
            {key: imports.text(value) for key, value in source.cells.items() if key in cells}
        )
        rows.append(RegisterRow(line=source.line, cells=cells))
    if not rows:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    return rows


def register_rows_from_dicts(records: list[dict]) -> list[RegisterRow]:
    """Rows given as dicts keyed by COLUMNS (the API); ``line`` is the 1-based position."""
    return [
        RegisterRow(
            line=number,
            cells={key: imports.text(record.get(key)) for key in COLUMNS},
        )
        for number, record in enumerate(records, start=1)
    ]


# --- Running ----------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


def _errors_of(error: ValidationError, column: str = "") -> list[RowError]:
    """Row errors of a ValidationError, with its ``code`` where the raiser gave one."""
    if hasattr(error, "error_dict"):
        return [
            row_error
            for name, errors in error.error_dict.items()
            for inner in errors
            for row_error in _errors_of(inner, "" if name == "__all__" else name)
        ]
    return [
        RowError(message=message, column=column, code=getattr(item, "code", None) or "invalid")
        for item in error.error_list
        for message in item.messages
    ]


def register_import(
    *,
    rows: list[RegisterRow],
    scope_ids=None,
    people=None,
    may_create_communities: bool = True,
    planned_logins: dict[str, str] | None = None,
    apply: bool,
    file_name: str = "",
) -> RegisterResult:
    """Decide every row; save the changes only when ``apply`` and no row or total has an error.

    ``scope_ids``: communities the importing user works for (None: all). ``people``: the
    people whose data the importing user may change (``office.roles.people_managed_by``; None:
    everybody but superusers); a row changing anybody else's is refused. The preview and the
    apply take the same decisions in memory from the same reads (a fixed number of queries per
    batch); applying then writes them in bulk, all rows or none.
    """
    result = RegisterResult(file_name=file_name, rows=rows)
    importer = _Importer(
        scope_ids=scope_ids,
        people=people,
        may_create_communities=may_create_communities,
        planned_logins=dict(planned_logins or {}),
    )
    importer.run(rows)
    importer.check_holders()
    try:
        importer.check_shares()
    except ValidationError as error:
        result.file_errors.extend(error.messages)
    if apply and not result.has_errors:
        try:
            with transaction.atomic():
                importer.write()
        except IntegrityError:
            # Someone saved a clashing person, login or account since the rows were read.
            result.file_errors.append(
                _("Część pozycji zaimportowano w międzyczasie; nic nie zapisano, spróbuj ponownie.")
            )
        else:
            result.applied = True
    result.warnings = list(dict.fromkeys(importer.warnings))
    result.planned_logins = importer.planned_logins
    return result


def register_preview(
    *, file_name: str, content: bytes, scope_ids=None, people=None, may_create_communities=True
) -> RegisterResult:
    try:
        rows = register_read(content)
    except FileError as error:
        return RegisterResult(file_name=file_name, file_errors=[error.message])
    return register_import(
        rows=rows,
        scope_ids=scope_ids,
        people=people,
        may_create_communities=may_create_communities,
        apply=False,
        file_name=file_name,
    )


def register_apply_upload(
    *, token: str, user, scope_ids=None, people=None, may_create_communities=True
) -> RegisterResult:
    """Apply the stored file behind a preview token: once, and all rows or none.

    The upload row is locked and marked used in the same transaction as the rows, so a second
    confirmation (a double click, a second tab, a second server) waits and then finds it used.
    Raises ``imports.services.UploadGone``; a file that turns out to have errors now leaves
    the token usable and saves nothing.
    """
    from imports.services import upload_claim

    result = RegisterResult()
    try:
        with transaction.atomic():
            upload = upload_claim(token=token, kind=KIND, user=user)
            try:
                rows = register_read(bytes(upload.content))
            except FileError as error:
                result = RegisterResult(file_name=upload.file_name, file_errors=[error.message])
                raise _Rollback from None
            result = register_import(
                rows=rows,
                scope_ids=scope_ids,
                people=people,
                may_create_communities=may_create_communities,
                planned_logins=upload.plan.get("logins", {}),
                apply=True,
                file_name=upload.file_name,
            )
            if not result.applied:
                raise _Rollback
            type(upload).objects.filter(pk=upload.pk).update(content=b"")
    except _Rollback:
        result.applied = False
    return result


BATCH_SIZE = 1000  # rows per INSERT/UPDATE statement
ABSENT_SHOWN = 10  # premises named in the warning about premises missing from the file
QUERY_CHUNK = 2000  # values per IN (…) of a read

PREMISES_FIELDS = (
    "kind",
    "area",
    "persons",
    "share_numerator",
    "share_denominator",
    "bank_account",
)
USER_FIELDS = ("first_name", "last_name", "email", "phone", "correspondence_address")
OWNERSHIP_FIELDS = ("valid_from", "valid_to", "is_correspondence_recipient")


def _chunks(values, size=QUERY_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class _Decision:
    """What one row found or created; kept only when the whole row is valid."""

    community_key: object = None
    community: Community | None = None
    community_new: bool = False
    building_key: object = None
    building: Building | None = None
    building_new: bool = False
    premises: Premises | None = None
    premises_new: bool = False
    premises_account: str = ""  # its account before the row
    user: User | None = None
    user_new: bool = False
    ownership: Ownership | None = None
    ownership_new: bool = False


class _Importer:
    """Finds or creates the community, building, premises, person and role of each row.

    Everything the rows may name is read up front (a few queries per batch, one more per
    2 000 values); each row is then decided in memory by the rules below, in file order, so a
    row sees what the rows before it created or changed; a row with an error changes nothing
    (its changes to objects are undone). ``write`` saves the outcome in bulk.
    """

    def __init__(self, *, scope_ids, people, may_create_communities, planned_logins):
        self.scope_ids = scope_ids
        self.people = people
        self._protected: set[int] = set()  # read people whose data this import must not change
        self.may_create_communities = may_create_communities
        self.planned_logins = planned_logins
        self.communities: dict = {}  # nip or lower-case name → community
        self.buildings: dict = {}  # (community, lower-case street) → building
        self.warnings: list[str] = []
        self._line = 0
        self._company_found = None
        # Read up front, then kept up to date by the valid rows.
        self._known_communities: list[Community] = []
        self._buildings_of: dict[int, list[Building]] = defaultdict(list)
        self._premises: dict[tuple, Premises] = {}  # (building, number) → premises
        self._owns: dict[int, list[Ownership]] = defaultdict(list)  # premises → its roles
        self._accounts: dict[str, object] = {}  # NRB → premises (or its pk)
        self._users: dict[int, User] = {}  # pk → person (one object per person)
        self._by_login: dict[str, User] = {}
        self._by_contact: dict[str, dict[int, User]] = defaultdict(dict)
        self._contact_keys: dict[int, tuple] = {}
        self._order: dict[int, tuple] = {}  # id(person) → (0, pk) or (1, n): "order by pk"
        self._original: dict[int, tuple] = {}  # id(object) → its values as read
        self._taken_planned: set[str] = set()
        self._login_pool: list[str] = []
        self._logins_used: set[str] = set()
        self._remaining = 0
        self._undo: list = []
        self._in_file: set[int] = set()  # id() of the roles the valid rows name
        self._premises_in_file: set[int] = set()  # pk of the saved premises the rows name
        self._added: list[tuple[RegisterRow, Ownership]] = []  # new owners' rows
        self._recipients: list[tuple[RegisterRow, Ownership]] = []  # rows naming a recipient
        # What ``write`` saves.
        self._new: dict[type, list] = defaultdict(list)
        self._loaded: dict[type, list] = defaultdict(list)

    # --- The batch ----------------------------------------------------------------------

    def run(self, rows: list[RegisterRow]) -> None:
        parsed = [(row, self._parse(row)) for row in rows]
        self._load([(row, values) for row, values in parsed if values is not None])
        for index, (row, values) in enumerate(parsed):
            if values is None:
                continue
            self._remaining = len(parsed) - index
            self.run_row(row, values)

    def run_row(self, row: RegisterRow, values: dict) -> None:
        self._line = row.line
        self._undo = []
        decision = _Decision()
        try:
            self._row(row, values, decision)
        except _RowFailed as failed:
            row.errors.extend(failed.errors)
        except ValidationError as error:
            row.errors.extend(_errors_of(error))
        if row.errors:
            for obj, saved in reversed(self._undo):
                obj.__dict__.clear()
                obj.__dict__.update(saved)
        else:
            self._keep_decision(decision)
            self._in_file.add(id(decision.ownership))
            if decision.premises.pk:
                self._premises_in_file.add(decision.premises.pk)
            if decision.ownership_new and decision.ownership.role in Ownership.OWNER_ROLES:
                self._added.append((row, decision.ownership))
            if decision.ownership.is_correspondence_recipient:
                self._recipients.append((row, decision.ownership))

    def _parse(self, row: RegisterRow) -> dict | None:
        """The row's cells as values; None (and the row's errors) when a cell is wrong."""
        cells = row.cells
        errors: list[RowError] = []

        def parse(key, func, *args, **kwargs):
            try:
                return func(cells.get(key, ""), *args, **kwargs)
            except ValidationError as e:
                errors.extend(_errors_of(e, _col(key)))
                return None

        for key in REQUIRED:
            if not cells[key]:
                errors.append(
                    RowError(_("To pole jest wymagane."), column=_col(key), code="required")
                )
        values = {
            "nip": parse("community_nip", imports.nip),
            "kind": parse("kind", imports.premises_kind),
            "area": (
                parse("area", imports.decimal, label=_("Powierzchnia")) if cells["area"] else None
            ),
            "persons": (
                parse("persons", imports.integer, label=_("Liczba osób"))
                if cells["persons"]
                else None
            ),
            "share": parse("share", imports.share) if cells["share"] else None,
            "bank_account": parse("bank_account", imports.nrb),
            "phone": parse("phone", imports.phone),
            "role": parse("role", imports.ownership_role),
            "valid_from": parse("valid_from", imports.date, label=_("Od")),
            "valid_to": parse("valid_to", imports.date, label=_("Do")),
        }
        if errors:
            row.errors.extend(errors)
            return None
        return values

    # --- Reads ----------------------------------------------------------------------------

    def _in_scope(self, qs, lookup):
        if self.scope_ids is None:
            return qs
        return qs.filter(**{f"{lookup}__in": self.scope_ids})

    def _people(self):
        people = User.objects.filter(is_superuser=False)
        if self.scope_ids is not None:
            people = people.filter(
                ownerships__premises__building__community__in=self.scope_ids
            ).distinct()
        return people

    def _remember(self, obj, fields):
        self._original[id(obj)] = tuple(getattr(obj, name) for name in fields)
        self._loaded[type(obj)].append(obj)

    def _person_known(self, user: User) -> User:
        """One object per person, however many reads return them."""
        known = self._users.get(user.pk)
        if known is not None:
            return known
        self._users[user.pk] = user
        self._order[id(user)] = (0, user.pk)
        self._remember(user, USER_FIELDS)
        if not user.is_superuser:
            self._by_login.setdefault(user.username, user)
            self._index_contact(user)
        return user

    def _load(self, items: list[tuple[RegisterRow, dict]]) -> None:
        """Everything the rows may name, in a few queries."""
        if not items:
            return
        nips = {values["nip"] for _row, values in items if values["nip"]}
        names = {row.cells["community"].lower() for row, _values in items}
        self._known_communities = list(self._in_scope(Community.objects.all(), "pk"))
        matched = {
            c.pk: c
            for c in self._known_communities
            if (c.nip and c.nip in nips) or c.name.lower() in names
        }
        buildings = {}
        if matched:
            for building in Building.objects.filter(community__in=list(matched)):
                building.community = matched[building.community_id]
                buildings[building.pk] = building
                self._buildings_of[id(building.community)].append(building)
        # The premises of these buildings the rows name by number ("012" names "12"): compared
        # by ``premises_number_key`` in Python, which no SQL expression of both engines can do.
        wanted = {imports.premises_number_key(row.cells["number"]) for row, _values in items}
        premises_by_pk = {}
        for chunk in _chunks(buildings):
            for premises in Premises.objects.filter(building__in=chunk).order_by("pk"):
                key = imports.premises_number_key(premises.number)
                if key not in wanted:
                    continue
                premises.building = buildings[premises.building_id]
                premises_by_pk[premises.pk] = premises
                self._premises[(id(premises.building), key)] = premises
                self._remember(premises, PREMISES_FIELDS)
        for chunk in _chunks(premises_by_pk):
            found = Ownership.objects.filter(premises__in=chunk).select_related("user")
            for ownership in found.order_by("pk"):
                ownership.user = self._person_known(ownership.user)
                ownership.premises = premises_by_pk[ownership.premises_id]
                self._owns[id(ownership.premises)].append(ownership)
                self._remember(ownership, OWNERSHIP_FIELDS)
        accounts = {values["bank_account"] for _row, values in items if values["bank_account"]}
        for chunk in _chunks(accounts):
            found = Premises.objects.filter(bank_account__in=chunk)
            for account, pk in found.values_list("bank_account", "pk"):
                self._accounts[account] = premises_by_pk.get(pk, pk)
        logins = {row.cells["login"] for row, _values in items if row.cells["login"]}
        for chunk in _chunks(logins):
            for user in self._people().filter(username__in=chunk):
                self._person_known(user)
        emails = {row.cells["email"].lower() for row, _values in items if row.cells["email"]}
        phones = {values["phone"] for _row, values in items if values["phone"]}
        contacts = [("email", value) for value in emails] + [("phone", v) for v in phones]
        for chunk in _chunks(contacts):
            wanted = Q(
                _email__in=[v for kind, v in chunk if kind == "email"],
            ) | Q(phone__in=[v for kind, v in chunk if kind == "phone"])
            for user in self._people().annotate(_email=Lower("email")).filter(wanted):
                self._person_known(user)
        if self.people is not None and self._users:
            managed = set(self.people.filter(pk__in=list(self._users)).values_list("pk", flat=True))
            self._protected = set(self._users) - managed
        planned = set(self.planned_logins.values())
        for chunk in _chunks(planned):
            found = User.objects.filter(username__in=chunk).values_list("username", flat=True)
            self._taken_planned.update(found)

    def _index_contact(self, user: User) -> None:
        old = self._contact_keys.get(id(user), ())
        new = tuple(
            key
            for key in (f"e:{user.email.lower()}" if user.email else "", f"p:{user.phone}")
            if key not in ("", "p:")
        )
        for key in old:
            self._by_contact[key].pop(id(user), None)
        for key in new:
            self._by_contact[key][id(user)] = user
        self._contact_keys[id(user)] = new

    def _keep(self, obj) -> None:
        """Remember ``obj`` as it is before this row changes it (undone if the row fails)."""
        self._undo.append((obj, obj.__dict__.copy()))

    # --- One row --------------------------------------------------------------------------

    def _row(self, row: RegisterRow, values: dict, decision: _Decision) -> None:
        cells = row.cells
        community = self._community(cells, values["nip"], decision)
        building = self._building(community, cells, decision)
        premises = self._premises_of(building, cells, values, decision)
        user, new_person = self._person(cells, values["phone"], premises, decision)
        row.login, row.new_person = user.username, new_person
        role = values["role"]
        same = [o for o in self._owns.get(id(premises), ()) if o.user is user and o.role == role]
        ownership = min(same, key=lambda o: o.valid_from) if same else None
        row.new_ownership = ownership is None
        if ownership is None:
            ownership = Ownership(user=user, premises=premises, role=role)
        else:
            self._keep(ownership)
        decision.ownership, decision.ownership_new = ownership, row.new_ownership
        if values["valid_from"]:
            ownership.valid_from = values["valid_from"]
        ownership.valid_to = values["valid_to"]
        # One current recipient per premises: checked once every row is in (``check_holders``),
        # since the row ending the seller's role may come after the buyer's.
        ownership.is_correspondence_recipient = imports.boolean(cells["recipient"])
        labels = {
            "valid_from": _col("valid_from"),
            "valid_to": _col("valid_to"),
            "is_correspondence_recipient": _col("recipient"),
            "role": _col("role"),
        }
        try:
            ownership.full_clean(
                exclude=["user", "premises"], validate_unique=False, validate_constraints=False
            )
            if ownership.valid_to is not None and ownership.valid_to < ownership.valid_from:
                # The dates' database constraint, with its own message (a query, on this row only).
                ownership.full_clean(exclude=["user", "premises"])
        except ValidationError as e:
            raise ValidationError(
                {labels.get(name, name): messages for name, messages in e.message_dict.items()}
            ) from None

    def _keep_decision(self, decision: _Decision) -> None:
        """The row is valid: what it found or created is there for the next rows."""
        community, building, premises = decision.community, decision.building, decision.premises
        self.communities[decision.community_key] = community
        if decision.community_new:
            self._known_communities.append(community)
            self._new[Community].append(community)
        self.buildings[decision.building_key] = building
        if decision.building_new:
            self._buildings_of[id(community)].append(building)
            self._new[Building].append(building)
        if decision.premises_new:
            self._premises[(id(building), imports.premises_number_key(premises.number))] = premises
            self._new[Premises].append(premises)
        if premises.bank_account != decision.premises_account:
            old = self._accounts.get(decision.premises_account)
            if old is premises or (premises.pk and old == premises.pk):
                del self._accounts[decision.premises_account]
        if premises.bank_account:
            self._accounts[premises.bank_account] = premises
        user = decision.user
        if decision.user_new:
            self._order[id(user)] = (1, len(self._new[User]))
            self._new[User].append(user)
            self._by_login.setdefault(user.username, user)
        self._index_contact(user)
        if decision.ownership_new:
            self._owns[id(premises)].append(decision.ownership)
            self._new[Ownership].append(decision.ownership)

    def _community(self, values, nip, decision: _Decision) -> Community:
        key = nip or values["community"].lower()
        decision.community_key = key
        if key in self.communities:
            decision.community = self.communities[key]
            return decision.community
        name = values["community"].lower()
        known = self._known_communities
        found = next((c for c in known if c.nip == nip), None) if nip else None
        named = None
        if found is None or found.name.lower() != name:
            named = next((c for c in known if c.name.lower() == name), None)
        if found is not None and found.name.lower() != name:
            self.warnings.append(
                _(
                    "NIP %(nip)s należy do wspólnoty %(found)s, a w pliku podano nazwę "
                    "„%(name)s”; wiersze zostaną przypisane do wspólnoty %(found)s."
                )
                % {"nip": nip, "found": found.name, "name": values["community"]}
            )
        elif found is None and named is not None and nip and named.nip and named.nip != nip:
            self.warnings.append(
                _(
                    "Wspólnota %(name)s ma NIP %(own)s, a w pliku podano NIP %(nip)s; "
                    "sprawdź, której wspólnoty dotyczy plik."
                )
                % {"name": named.name, "own": named.nip, "nip": nip}
            )
        if found is None:
            found = named
        if found is None:
            if not self.may_create_communities:
                raise _RowFailed(
                    [
                        RowError(
                            _(
                                "Nie ma takiej wspólnoty wśród wspólnot, którymi się zajmujesz. "
                                "Nowe wspólnoty zakłada administrator biura."
                            ),
                            column=_col("community"),
                            code="community_not_found",
                        )
                    ]
                )
            found = Community(
                company=self._company(),
                name=values["community"],
                nip=nip or "",
                street=values["street"],
                postal_code=values["postal_code"],
                city=values["city"],
            )
            _clean(found, {"postal_code": "postal_code", "city": "city"}, exclude=["company"])
            decision.community_new = True
        decision.community = found
        return found

    def _company(self):
        from .selectors import company_current

        if self._company_found is None:
            self._company_found = company_current()
        if self._company_found is None:
            raise ValidationError(
                _("Najpierw wprowadź dane zarządcy (licencjobiorcy) w panelu biura.")
            )
        return self._company_found

    def _building(self, community, values, decision: _Decision) -> Building:
        street = values["street"].lower()
        key = (id(community), street)
        decision.building_key = key
        if key in self.buildings:
            decision.building = self.buildings[key]
            return decision.building
        building = next(
            (b for b in self._buildings_of.get(id(community), ()) if b.street.lower() == street),
            None,
        )
        if building is None:
            building = Building(
                community=community,
                street=values["street"],
                postal_code=values["postal_code"],
                city=values["city"],
            )
            _clean(building, {"postal_code": "postal_code", "city": "city"}, exclude=["community"])
            decision.building_new = True
        decision.building = building
        return building

    def _premises_of(self, building, cells, values, decision: _Decision) -> Premises:
        area, persons, share = values["area"], values["persons"], values["share"]
        bank_account = values["bank_account"]
        premises = self._premises.get((id(building), imports.premises_number_key(cells["number"])))
        if premises is None:
            missing = [
                _col(key) for key, value in (("area", area), ("share", share)) if value is None
            ]
            if missing:
                raise ValidationError({col: [_("Wymagane dla nowego lokalu.")] for col in missing})
            premises = Premises(building=building, number=cells["number"])
            decision.premises_new = True
        else:
            self._keep(premises)
        decision.premises, decision.premises_account = premises, premises.bank_account
        if cells["kind"]:
            premises.kind = values["kind"]
        if area is not None:
            premises.area = area
        if persons is not None:
            premises.persons = persons
        if share is not None:
            premises.share_numerator, premises.share_denominator = share
        if bank_account:
            holder = self._accounts.get(bank_account)
            if holder is not None and holder is not premises and holder != premises.pk:
                raise ValidationError(
                    {_col("bank_account"): _("Ten numer rachunku ma już inny lokal.")}
                )
            premises.bank_account = bank_account
        _clean(
            premises,
            {"area": "area", "persons": "persons", "bank_account": "bank_account"},
            exclude=["building"],
        )
        return premises

    def _named(self, users, values):
        first, last = values["first_name"].lower(), values["last_name"].lower()
        matching = [
            user
            for user in users
            if not user.is_superuser
            and user.first_name.lower() == first
            and user.last_name.lower() == last
        ]
        return min(matching, key=lambda user: self._order[id(user)], default=None)

    def _person(self, values, phone, premises, decision: _Decision) -> tuple[User, bool]:
        user = None
        if values["login"]:
            user = self._by_login.get(values["login"])
            if user is None:
                raise ValidationError(
                    {_col("login"): _("Nie ma osoby z tym loginem. Zostaw puste dla nowej osoby.")}
                )
        else:
            contact = []
            if values["email"]:
                contact += self._by_contact.get(f"e:{values['email'].lower()}", {}).values()
            if phone:
                contact += self._by_contact.get(f"p:{phone}", {}).values()
            if values["email"] or phone:
                user = self._named(contact, values)
            if user is None and not decision.premises_new and values["last_name"]:
                # No login, no matching contact: the same name among this premises' holders.
                holders = [o.user for o in self._owns.get(id(premises), ())]
                user = self._named(holders, values)
                if user is not None and (values["email"] or phone):
                    self.warnings.append(
                        _(
                            "%(name)s (lokal %(premises)s): dane kontaktowe w pliku różnią się "
                            "od zapisanych; przyjęto, że to ta sama osoba (login %(login)s)."
                        )
                        % {
                            "name": f"{values['first_name']} {values['last_name']}".strip(),
                            "premises": premises,
                            "login": user.username,
                        }
                    )
        new = user is None
        if new:
            user = User(username=self._login_for_new_person(), is_active=False)
            user.set_unusable_password()
        else:
            self._keep(user)
        decision.user, decision.user_new = user, new
        user.first_name = values["first_name"] or user.first_name
        user.last_name = values["last_name"] or user.last_name
        if values["email"]:
            user.email = values["email"]
        if phone:
            user.phone = phone
        if values["address"]:
            user.correspondence_address = values["address"]
        now = tuple(getattr(user, name) for name in USER_FIELDS)
        if user.pk in self._protected and now != self._original[id(user)]:
            # An office colleague's e-mail is where their password reset goes.
            raise ValidationError(
                {
                    _col("login"): _(
                        "Danych tej osoby nie zmienisz importem: to konto biura, zmienia je "
                        "administrator biura."
                    )
                }
            )
        _clean(
            user,
            {"email": "email", "first_name": "first_name", "last_name": "last_name"},
            exclude=["password", "username"],
        )
        return user, new

    def _login_for_new_person(self) -> str:
        """The login planned for this row in the preview, if still free; else a new one.

        New logins come from a pool drawn for the rest of the file at once (one query), so a
        file of new people does not ask the database once per person.
        """
        key = str(self._line)
        planned = self.planned_logins.get(key)
        if planned and planned not in self._taken_planned and planned not in self._logins_used:
            self._logins_used.add(planned)
            return planned
        if not self._login_pool:
            self._login_pool = logins_generate(
                max(self._remaining, 1),
                exclude=set(self.planned_logins.values()) | self._logins_used,
            )
            self._login_pool.reverse()
        login = self._login_pool.pop()
        self._logins_used.add(login)
        self.planned_logins[key] = login
        return login

    # --- The totals -----------------------------------------------------------------------

    def check_holders(self) -> None:
        """A new owner never joins, unseen, an owner the file does not name.

        A sale in a file without the seller's row, or a typo in the name of the owner (no
        login: a new person), would leave both holding the premises at once (the seller seeing
        the buyer's account). The row is refused with what to do; the seller's row with its
        "Do" date, or the owner's login, makes the same file pass. Checked after all rows:
        the seller's row may come after the buyer's. So is the one current correspondence
        recipient of a premises.
        """
        for row, recipient in self._recipients:
            if recipient.valid_to is None and any(
                other is not recipient
                and other.is_correspondence_recipient
                and other.valid_to is None
                for other in self._owns.get(id(recipient.premises), ())
            ):
                row.errors.append(
                    RowError(
                        _("Ten lokal ma już innego adresata korespondencji."),
                        column=_col("recipient"),
                    )
                )
        for row, added in self._added:
            for other in self._owns.get(id(added.premises), ()):
                if (
                    id(other) in self._in_file
                    or other.user is added.user
                    or other.role not in Ownership.OWNER_ROLES
                    or (other.valid_to is not None and other.valid_to < added.valid_from)
                    or (added.valid_to is not None and added.valid_to < other.valid_from)
                ):
                    continue
                row.errors.append(
                    RowError(
                        _(
                            "Lokal %(number)s ma też właściciela %(name)s, którego nie ma w "
                            "pliku. Jeśli lokal sprzedano, dodaj wiersz sprzedającego z datą "
                            "„Do” (albo zapisz ją przyciskiem „Sprzedaż lokalu” w panelu); jeśli "
                            "poprawiasz dane tej samej osoby, podaj jej login."
                        )
                        % {
                            "number": added.premises.number,
                            "name": other.user.get_full_name() or other.user.username,
                        },
                        column=_col("last_name"),
                        code="owner_not_in_file",
                    )
                )

    def check_shares(self) -> None:
        """Shares of a community's premises: never above 1; a warning unless exactly 1."""
        communities = {id(c): c for c in self.communities.values()}
        if not communities:
            return
        saved = {c.pk: key for key, c in communities.items() if c.pk}
        shares: dict[tuple, tuple] = {}
        absent: dict[int, list[str]] = defaultdict(list)
        if saved:
            for community_id, pk, numerator, denominator, number, street in (
                Premises.objects.filter(building__community__in=list(saved))
                .order_by(polish("building__street"), polish("number"), "pk")
                .values_list(
                    "building__community_id",
                    "pk",
                    "share_numerator",
                    "share_denominator",
                    "number",
                    "building__street",
                )
            ):
                shares[("pk", pk)] = (saved[community_id], Fraction(numerator, denominator))
                if pk not in self._premises_in_file:
                    absent[saved[community_id]].append(f"{number} ({street})")
        for key, places in absent.items():
            # The file is no list of what to delete: premises it leaves out stay as they are.
            shown = ", ".join(places[:ABSENT_SHOWN])
            if len(places) > ABSENT_SHOWN:
                more = len(places) - ABSENT_SHOWN
                shown += " " + ngettext("i %(count)d inny", "i %(count)d innych", more) % {
                    "count": more
                }
            self.warnings.append(
                _(
                    "Lokali wspólnoty %(community)s nie ma w pliku: %(places)s. Import ich nie "
                    "usuwa ani nie zmienia; jeśli któregoś już nie ma, usuń go w panelu."
                )
                % {"community": communities[key].name, "places": shown}
            )
        for premises in [*self._loaded[Premises], *self._new[Premises]]:
            key = id(premises.building.community)
            if key in communities:
                ref = ("pk", premises.pk) if premises.pk else ("new", id(premises))
                shares[ref] = (key, premises.share)
        totals: dict[int, Fraction] = dict.fromkeys(communities, Fraction(0))
        for key, share in shares.values():
            totals[key] += share
        errors = []
        for key, total in totals.items():
            name = communities[key].name
            shown = (
                f"{total.numerator}/{total.denominator}"
                if total.denominator != 1
                else str(total.numerator)
            )
            if total > 1:
                errors.append(
                    _(
                        "Udziały lokali wspólnoty %(community)s sumują się do %(total)s, "
                        "czyli więcej niż 1. Popraw udziały."
                    )
                    % {"community": name, "total": shown}
                )
            elif total != 1:
                self.warnings.append(
                    _(
                        "Udziały lokali wspólnoty %(community)s sumują się do %(total)s "
                        "(%(decimal)s), a powinny do 1: brakuje lokali albo udziały są błędne."
                    )
                    % {
                        "community": name,
                        "total": shown,
                        "decimal": f"{float(total):.6f}".replace(".", ","),
                    }
                )
        if errors:
            raise ValidationError(errors)

    # --- Writes ---------------------------------------------------------------------------

    def _changed(self, model, fields) -> tuple[list, list[str]]:
        """The objects read up front that the rows changed, and the fields they changed."""
        changed, names = [], set()
        for obj in self._loaded[model]:
            original = self._original[id(obj)]
            differ = [
                name
                for name, old in zip(fields, original, strict=True)
                if getattr(obj, name) != old
            ]
            if differ:
                changed.append(obj)
                names.update(differ)
        return changed, [name for name in fields if name in names]

    def write(self) -> None:
        """Save what the rows decided: a few statements per model, whatever the row count."""
        if self._new[Community]:
            bulk_create_with_history(self._new[Community], Community, batch_size=BATCH_SIZE)
        if self._new[Building]:
            Building.objects.bulk_create(self._new[Building], batch_size=BATCH_SIZE)
        changed, fields = self._changed(Premises, PREMISES_FIELDS)
        if changed:
            bulk_update_with_history(changed, Premises, fields, batch_size=BATCH_SIZE)
        if self._new[Premises]:
            bulk_create_with_history(self._new[Premises], Premises, batch_size=BATCH_SIZE)
        changed, fields = self._changed(User, USER_FIELDS)
        if changed:
            bulk_update_with_history(changed, User, fields, batch_size=BATCH_SIZE)
        if self._new[User]:
            bulk_create_with_history(self._new[User], User, batch_size=BATCH_SIZE)
        # Roles that stop being a premises' current recipient first, then the new recipients:
        # the database's one-recipient-per-premises index holds after every statement.
        changed, fields = self._changed(Ownership, OWNERSHIP_FIELDS)
        current = {id(o) for o in changed if o.is_correspondence_recipient and o.valid_to is None}
        ending = [o for o in changed if id(o) not in current]
        for group in (ending, [o for o in changed if id(o) in current]):
            if group:
                bulk_update_with_history(group, Ownership, fields, batch_size=BATCH_SIZE)
        if self._new[Ownership]:
            bulk_create_with_history(self._new[Ownership], Ownership, batch_size=BATCH_SIZE)


def _clean(instance, columns, exclude=None):
    """Model validation with errors under the spreadsheet's column names."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as e:
        raise ValidationError(
            {
                _col(columns.get(name, "community")) if name in columns else name: messages
                for name, messages in e.message_dict.items()
            }
        ) from None
