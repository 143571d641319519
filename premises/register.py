"""Register import: one row per person holding a premises, previewed, then applied whole.

The file goes through the shared pipeline like every other import: ``lib.imports`` reads it
(UTF-8/cp1250/cp852, semicolon or comma, any line endings, XLSX), the admin keeps it as an
``imports.StoredUpload`` behind a single-use token, the preview runs every row in a transaction
that is rolled back, and applying runs them again in one transaction with the upload row locked:
all rows or none, and a second confirmation of the same preview adds nothing.

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

from dataclasses import dataclass, field
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import login_generate
from lib.imports import MAX_ROWS, FileError, fold, read_grid

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


def _aliases() -> dict[str, str]:
    aliases = {fold(key): key for key in COLUMNS}
    aliases.update({fold(str(label)): key for key, label in COLUMNS.items()})
    return aliases


def register_read(content: bytes) -> list[RegisterRow]:
    """The rows of a register file (first non-empty line is the header); raises FileError."""
    lines, _encoding, _delimiter = read_grid(content, max_rows=MAX_ROWS)
    lines_numbered = [
        (number, values)
        for number, values in enumerate(lines, start=1)
        if any(str(v).strip() for v in values)
    ]
    if not lines_numbered:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    aliases = _aliases()
    (_header_line, header), body = lines_numbered[0], lines_numbered[1:]
    keys = [aliases.get(fold(name), "") if str(name).strip() else "" for name in header]
    missing = [_col(key) for key in REQUIRED if key not in keys]
    if missing:
        raise FileError(
            _("Brak kolumn: %(columns)s. Pobierz wzór przez eksport rejestru.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for line, values in body:
        cells = dict.fromkeys(COLUMNS, "")
        for index, value in enumerate(values):
            key = keys[index] if index < len(keys) else ""
            if key and not cells[key]:
                cells[key] = imports.text(value)
        rows.append(RegisterRow(line=line, cells=cells))
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
    may_create_communities: bool = True,
    planned_logins: dict[str, str] | None = None,
    apply: bool,
    file_name: str = "",
) -> RegisterResult:
    """Run every row; keep the changes only when ``apply`` and no row or total has an error.

    ``scope_ids``: communities the importing user works for (None: all). Without ``apply`` this
    is the preview: the same writes, rolled back, so it sees exactly what applying will do.
    """
    result = RegisterResult(file_name=file_name, rows=rows)
    importer = _Importer(
        scope_ids=scope_ids,
        may_create_communities=may_create_communities,
        planned_logins=dict(planned_logins or {}),
    )
    try:
        with transaction.atomic():
            for row in rows:
                importer.run_row(row)
            try:
                importer.check_shares()
            except ValidationError as error:
                result.file_errors.extend(error.messages)
            if not apply or result.has_errors:
                raise _Rollback
    except _Rollback:
        pass
    else:
        result.applied = True
    result.warnings = list(dict.fromkeys(importer.warnings))
    result.planned_logins = importer.planned_logins
    return result


def register_preview(
    *, file_name: str, content: bytes, scope_ids=None, may_create_communities=True
) -> RegisterResult:
    try:
        rows = register_read(content)
    except FileError as error:
        return RegisterResult(file_name=file_name, file_errors=[error.message])
    return register_import(
        rows=rows,
        scope_ids=scope_ids,
        may_create_communities=may_create_communities,
        apply=False,
        file_name=file_name,
    )


def register_apply_upload(
    *, token: str, user, scope_ids=None, may_create_communities=True
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


class _Importer:
    """Finds or creates the community, building, premises, person and role of each row."""

    def __init__(self, *, scope_ids, may_create_communities, planned_logins):
        self.scope_ids = scope_ids
        self.may_create_communities = may_create_communities
        self.planned_logins = planned_logins
        self.communities: dict = {}
        self.buildings: dict = {}
        self.warnings: list[str] = []
        self._line = 0

    def run_row(self, row: RegisterRow) -> None:
        self._line = row.line
        communities, buildings = dict(self.communities), dict(self.buildings)
        try:
            with transaction.atomic():
                self._row(row)
        except _RowFailed as failed:
            row.errors.extend(failed.errors)
        except ValidationError as error:
            row.errors.extend(_errors_of(error))
        except IntegrityError:
            row.errors.append(
                RowError(_("Wiersz sprzeczny z danymi zapisanymi wcześniej; sprawdź go."))
            )
        if row.errors:
            # The row's writes were rolled back: forget what it created.
            self.communities, self.buildings = communities, buildings

    def _row(self, row: RegisterRow) -> None:
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
        nip = parse("community_nip", imports.nip)
        kind = parse("kind", imports.premises_kind)
        area = parse("area", imports.decimal, label=_("Powierzchnia")) if cells["area"] else None
        persons = (
            parse("persons", imports.integer, label=_("Liczba osób")) if cells["persons"] else None
        )
        share = parse("share", imports.share) if cells["share"] else None
        bank_account = parse("bank_account", imports.nrb)
        phone = parse("phone", imports.phone)
        role = parse("role", imports.ownership_role)
        valid_from = parse("valid_from", imports.date, label=_("Od"))
        valid_to = parse("valid_to", imports.date, label=_("Do"))
        if errors:
            raise _RowFailed(errors)

        community = self._community(cells, nip)
        building = self._building(community, cells)
        premises = self._premises(building, cells, kind, area, persons, share, bank_account)
        user, new_person = self._person(cells, phone, premises)
        row.login, row.new_person = user.username, new_person
        ownership = Ownership.objects.filter(user=user, premises=premises, role=role).first()
        row.new_ownership = ownership is None
        if ownership is None:
            ownership = Ownership(user=user, premises=premises, role=role)
        if valid_from:
            ownership.valid_from = valid_from
        ownership.valid_to = valid_to
        recipient = imports.boolean(cells["recipient"])
        ownership.is_correspondence_recipient = recipient
        if recipient:
            taken = (
                Ownership.objects.filter(premises=premises, is_correspondence_recipient=True)
                .filter(valid_to__isnull=True)
                .exclude(pk=ownership.pk)
            )
            if taken.exists():
                raise ValidationError(
                    {_col("recipient"): _("Ten lokal ma już innego adresata korespondencji.")}
                )
        labels = {
            "valid_from": _col("valid_from"),
            "valid_to": _col("valid_to"),
            "is_correspondence_recipient": _col("recipient"),
            "role": _col("role"),
        }
        try:
            ownership.full_clean()
        except ValidationError as e:
            raise ValidationError(
                {labels.get(name, name): messages for name, messages in e.message_dict.items()}
            ) from None
        ownership.save()

    def _in_scope(self, qs, lookup):
        if self.scope_ids is None:
            return qs
        return qs.filter(**{f"{lookup}__in": self.scope_ids})

    def _community(self, values, nip) -> Community:
        key = nip or values["community"].lower()
        if key in self.communities:
            return self.communities[key]
        qs = self._in_scope(Community.objects.all(), "pk")
        found = qs.filter(nip=nip).first() if nip else None
        named = None
        if found is None or found.name.lower() != values["community"].lower():
            named = qs.filter(name__iexact=values["community"]).first()
        if found is not None and found.name.lower() != values["community"].lower():
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
            _clean(found, {"postal_code": "postal_code", "city": "city"})
            found.save()
        self.communities[key] = found
        return found

    @staticmethod
    def _company():
        from .selectors import company_current

        company = company_current()
        if company is None:
            raise ValidationError(
                _("Najpierw wprowadź dane zarządcy (licencjobiorcy) w panelu biura.")
            )
        return company

    def _building(self, community, values) -> Building:
        key = (community.pk, values["street"].lower())
        if key in self.buildings:
            return self.buildings[key]
        building = Building.objects.filter(
            community=community, street__iexact=values["street"]
        ).first()
        if building is None:
            building = Building(
                community=community,
                street=values["street"],
                postal_code=values["postal_code"],
                city=values["city"],
            )
            _clean(building, {"postal_code": "postal_code", "city": "city"})
            building.save()
        self.buildings[key] = building
        return building

    def _premises(self, building, values, kind, area, persons, share, bank_account) -> Premises:
        premises = Premises.objects.filter(building=building, number=values["number"]).first()
        if premises is None:
            missing = [
                _col(key) for key, value in (("area", area), ("share", share)) if value is None
            ]
            if missing:
                raise ValidationError({col: [_("Wymagane dla nowego lokalu.")] for col in missing})
            premises = Premises(building=building, number=values["number"])
        if values["kind"]:
            premises.kind = kind
        if area is not None:
            premises.area = area
        if persons is not None:
            premises.persons = persons
        if share is not None:
            premises.share_numerator, premises.share_denominator = share
        if bank_account:
            clash = Premises.objects.filter(bank_account=bank_account).exclude(pk=premises.pk)
            if clash.exists():
                raise ValidationError(
                    {_col("bank_account"): _("Ten numer rachunku ma już inny lokal.")}
                )
            premises.bank_account = bank_account
        _clean(
            premises,
            {"area": "area", "persons": "persons", "bank_account": "bank_account"},
            exclude=["building"],
        )
        premises.save()
        return premises

    def _person(self, values, phone, premises) -> tuple[User, bool]:
        people = User.objects.filter(is_superuser=False)
        if self.scope_ids is not None:
            people = people.filter(
                ownerships__premises__building__community__in=self.scope_ids
            ).distinct()
        user = None
        if values["login"]:
            user = people.filter(username=values["login"]).first()
            if user is None:
                raise ValidationError(
                    {_col("login"): _("Nie ma osoby z tym loginem. Zostaw puste dla nowej osoby.")}
                )
        else:
            contact = Q()
            if values["email"]:
                contact |= Q(email__iexact=values["email"])
            if phone:
                contact |= Q(phone=phone)
            if contact:
                user = (
                    people.filter(
                        contact,
                        first_name__iexact=values["first_name"],
                        last_name__iexact=values["last_name"],
                    )
                    .order_by("pk")
                    .first()
                )
            if user is None and premises.pk and values["last_name"]:
                # No login, no matching contact: the same name among this premises' holders.
                user = (
                    people.filter(
                        first_name__iexact=values["first_name"],
                        last_name__iexact=values["last_name"],
                        ownerships__premises=premises,
                    )
                    .order_by("pk")
                    .first()
                )
                if user is not None and contact:
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
        user.first_name = values["first_name"] or user.first_name
        user.last_name = values["last_name"] or user.last_name
        if values["email"]:
            user.email = values["email"]
        if phone:
            user.phone = phone
        if values["address"]:
            user.correspondence_address = values["address"]
        _clean(
            user,
            {"email": "email", "first_name": "first_name", "last_name": "last_name"},
            exclude=["password", "username"],
        )
        user.save()
        return user, new

    def _login_for_new_person(self) -> str:
        """The login planned for this row in the preview, if still free; else a new one."""
        key = str(self._line)
        planned = self.planned_logins.get(key)
        if planned and not User.objects.filter(username=planned).exists():
            return planned
        login = login_generate()
        self.planned_logins[key] = login
        return login

    def check_shares(self) -> None:
        """Shares of a community's premises: never above 1; a warning unless exactly 1."""
        communities = {c.pk: c for c in self.communities.values() if c.pk}
        if not communities:
            return
        totals: dict[int, Fraction] = dict.fromkeys(communities, Fraction(0))
        for community_id, numerator, denominator in Premises.objects.filter(
            building__community__in=communities
        ).values_list("building__community_id", "share_numerator", "share_denominator"):
            totals[community_id] += Fraction(numerator, denominator)
        errors = []
        for community_id, total in totals.items():
            name = communities[community_id].name
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
