"""Register import and export (django-import-export): one row per person holding a premises.

A row names the community, the building, the premises and the person with their role and
contact data. Re-importing the same file updates instead of duplicating: a community is found
by NIP (or name), a building by community + street, a premises by building + number, a person by
login, else by first and last name with e-mail or phone, else by first and last name among the
holders of that premises; a role by person + premises + role. The file is read by the shared
pipeline (``lib.imports``: UTF-8/cp1250/cp852, semicolon or comma, any line endings, XLSX).
The logins the preview shows are the logins the import creates. Shares of the premises of each
community in the file must not exceed 1 and the preview warns where they do not sum to 1;
a NIP of one community with the name of another is a warning too.
Office staff import only into the communities assigned to them; only the office administrator
creates communities. Every bad cell gives a Polish message and the whole file is refused.
"""

import hashlib
from fractions import Fraction

import tablib
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.formats.base_formats import CSV, XLSX

from accounts.models import User
from accounts.services import login_generate
from lib.imports import FileError, read_grid

from . import imports
from .models import Building, Community, Ownership, Premises

COLUMNS = {
    "community": gettext_lazy("Wspólnota"),
    "community_nip": gettext_lazy("NIP wspólnoty"),
    "street": gettext_lazy("Budynek (ulica i numer)"),
    "postal_code": gettext_lazy("Kod pocztowy"),
    "city": gettext_lazy("Miejscowość"),
    "number": gettext_lazy("Numer lokalu"),
    "kind": gettext_lazy("Rodzaj lokalu"),
    "area": gettext_lazy("Powierzchnia m2"),
    "persons": gettext_lazy("Liczba osób"),
    "share": gettext_lazy("Udział"),
    "bank_account": gettext_lazy("Rachunek lokalu (NRB)"),
    "login": gettext_lazy("Login"),
    "first_name": gettext_lazy("Imię"),
    "last_name": gettext_lazy("Nazwisko"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Telefon"),
    "address": gettext_lazy("Adres do korespondencji"),
    "role": gettext_lazy("Rola"),
    "valid_from": gettext_lazy("Od"),
    "valid_to": gettext_lazy("Do"),
    "recipient": gettext_lazy("Adresat korespondencji"),
}


def _col(key):
    return str(COLUMNS[key])


PLANNED_LOGINS_TTL = 2 * 60 * 60


def register_dataset(content: bytes) -> tablib.Dataset:
    """A register file (CSV in any Polish encoding and delimiter, or XLSX) as a Dataset."""
    lines, _encoding, _delimiter = read_grid(content)
    rows = [values for values in lines if any(str(v).strip() for v in values)]
    if not rows:
        raise FileError(_("Plik nie zawiera żadnych wierszy z danymi."))
    headers = [str(h).strip().lstrip("\ufeff") for h in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for values in rows[1:]:
        dataset.append([str(v) for v in (list(values) + [""] * width)[:width]])
    return dataset


class RegisterCSV(CSV):
    """CSV read by the shared pipeline (bytes in, encoding and delimiter recognised)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return register_dataset(in_stream)


class RegisterXLSX(XLSX):
    def create_dataset(self, in_stream):
        return register_dataset(in_stream)


def _export_value(ownership, key):
    """The spreadsheet cell ``key`` of one holder's row."""
    if ownership is None or ownership.premises_id is None:
        return ""
    premises, user = ownership.premises, ownership.user
    building = premises.building
    community = building.community
    values = {
        "community": community.name,
        "community_nip": community.nip,
        "street": building.street,
        "postal_code": building.postal_code,
        "city": building.city,
        "number": premises.number,
        "kind": premises.get_kind_display(),
        "area": str(premises.area).replace(".", ","),
        "persons": premises.persons,
        "share": premises.share_display,
        "bank_account": premises.bank_account,
        "login": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "address": user.correspondence_address,
        "role": ownership.get_role_display(),
        "valid_from": ownership.valid_from.strftime("%d.%m.%Y") if ownership.valid_from else "",
        "valid_to": ownership.valid_to.strftime("%d.%m.%Y") if ownership.valid_to else "",
        "recipient": _("tak") if ownership.is_correspondence_recipient else "",
    }
    return values[key]


class _RegisterField(fields.Field):
    def __init__(self, key):
        super().__init__(column_name=_col(key), readonly=True)
        self.key = key

    def get_value(self, instance):
        return _export_value(instance, self.key)


class RegisterResource(resources.ModelResource):
    community = _RegisterField("community")
    community_nip = _RegisterField("community_nip")
    street = _RegisterField("street")
    postal_code = _RegisterField("postal_code")
    city = _RegisterField("city")
    number = _RegisterField("number")
    kind = _RegisterField("kind")
    area = _RegisterField("area")
    persons = _RegisterField("persons")
    share = _RegisterField("share")
    bank_account = _RegisterField("bank_account")
    login = _RegisterField("login")
    first_name = _RegisterField("first_name")
    last_name = _RegisterField("last_name")
    email = _RegisterField("email")
    phone = _RegisterField("phone")
    address = _RegisterField("address")
    role = _RegisterField("role")
    valid_from = _RegisterField("valid_from")
    valid_to = _RegisterField("valid_to")
    recipient = _RegisterField("recipient")

    class Meta:
        model = Ownership
        fields = tuple(COLUMNS)
        export_order = tuple(COLUMNS)
        import_id_fields = ()
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = False
        report_skipped = True

    def __init__(self, *, scope_ids=None, may_create_communities=True, **kwargs):
        """``scope_ids``: communities the importing user works for (None: all)."""
        super().__init__(**kwargs)
        self.scope_ids = scope_ids
        self.may_create_communities = may_create_communities
        self._communities = {}
        self._buildings = {}
        self._planned_logins: dict[str, str] = {}
        self._logins_key = ""
        self._row_number = 0
        self.warnings: list[str] = []

    # --- export -----------------------------------------------------------------------------

    def get_export_queryset(self, request=None):
        return Ownership.objects.select_related("user", "premises__building__community")

    # --- import -----------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        # The preview and the import of one file by one person share the planned logins.
        user = kwargs.get("user")
        digest = hashlib.sha256(dataset.export("csv").encode()).hexdigest()
        self._logins_key = f"register-logins:{getattr(user, 'pk', '')}:{digest}"
        self._planned_logins = cache.get(self._logins_key) or {}
        missing = [
            _col(key)
            for key in ("community", "street", "number", "last_name")
            if _col(key) not in (dataset.headers or [])
        ]
        if missing:
            raise ValidationError(
                _("Brak kolumn: %(columns)s. Pobierz wzór przez eksport rejestru.")
                % {"columns": ", ".join(missing)}
            )

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") and self._planned_logins:
            cache.set(self._logins_key, self._planned_logins, PLANNED_LOGINS_TTL)
        self._check_shares()
        result.strefa_warnings = list(dict.fromkeys(self.warnings))

    def _check_shares(self):
        """Shares of a community's premises: never above 1; a warning unless exactly 1."""
        communities = {c.pk: c for c in self._communities.values() if c.pk}
        if not communities:
            return
        totals: dict[int, Fraction] = dict.fromkeys(communities, Fraction(0))
        for community_id, numerator, denominator in Premises.objects.filter(
            building__community__in=communities
        ).values_list("building__community_id", "share_numerator", "share_denominator"):
            totals[community_id] += Fraction(numerator, denominator)
        for community_id, total in totals.items():
            name = communities[community_id].name
            shown = (
                f"{total.numerator}/{total.denominator}"
                if total.denominator != 1
                else str(total.numerator)
            )
            if total > 1:
                raise ValidationError(
                    _(
                        "Udziały lokali wspólnoty %(community)s sumują się do %(total)s, "
                        "czyli więcej niż 1. Popraw udziały."
                    )
                    % {"community": name, "total": shown}
                )
            if total != 1:
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

    def get_or_init_instance(self, instance_loader, row):
        parsed = self._resolve(row)
        ownership = Ownership.objects.filter(
            user=parsed["user"], premises=parsed["premises"], role=parsed["role"]
        ).first()
        new = ownership is None
        if new:
            ownership = Ownership(user=parsed["user"], premises=parsed["premises"])
        ownership.role = parsed["role"]
        ownership._parsed = parsed
        return ownership, new

    def import_instance(self, instance, row, **kwargs):
        parsed = instance._parsed
        if parsed["valid_from"]:
            instance.valid_from = parsed["valid_from"]
        instance.valid_to = parsed["valid_to"]
        instance.is_correspondence_recipient = parsed["recipient"]
        if parsed["recipient"]:
            taken = (
                Ownership.objects.filter(
                    premises=instance.premises, is_correspondence_recipient=True
                )
                .filter(valid_to__isnull=True)
                .exclude(pk=instance.pk)
            )
            if taken.exists():
                raise ValidationError(
                    {_col("recipient"): _("Ten lokal ma już innego adresata korespondencji.")}
                )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as e:
            raise ValidationError(
                {self._label(field): messages for field, messages in e.message_dict.items()}
            ) from None

    @staticmethod
    def _label(field_name):
        names = {
            "valid_from": _col("valid_from"),
            "valid_to": _col("valid_to"),
            "is_correspondence_recipient": _col("recipient"),
            "__all__": "__all__",
        }
        return names.get(field_name, field_name)

    def _resolve(self, row):
        """Parse a row and find or create its community, building, premises and person."""
        errors = {}

        def parse(key, func, *args, **kwargs):
            try:
                return func(row.get(_col(key)), *args, **kwargs)
            except ValidationError as e:
                errors.setdefault(_col(key), []).extend(e.messages)
                return None

        values = {key: imports.text(row.get(_col(key))) for key in COLUMNS}
        for key in ("community", "street", "number", "last_name"):
            if not values[key]:
                errors.setdefault(_col(key), []).append(_("To pole jest wymagane."))
        nip = parse("community_nip", imports.nip)
        kind = parse("kind", imports.premises_kind)
        area = parse("area", imports.decimal, label=_("Powierzchnia")) if values["area"] else None
        persons = (
            parse("persons", imports.integer, label=_("Liczba osób")) if values["persons"] else None
        )
        share = parse("share", imports.share) if values["share"] else None
        bank_account = parse("bank_account", imports.nrb)
        phone = parse("phone", imports.phone)
        role = parse("role", imports.ownership_role)
        valid_from = parse("valid_from", imports.date, label=_("Od"))
        valid_to = parse("valid_to", imports.date, label=_("Do"))
        if errors:
            raise ValidationError(errors)

        community = self._community(values, nip)
        building = self._building(community, values)
        premises = self._premises(building, values, kind, area, persons, share, bank_account)
        user = self._person(values, phone, premises)
        return {
            "community": community,
            "premises": premises,
            "user": user,
            "role": role,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "recipient": imports.boolean(row.get(_col("recipient"))),
        }

    def _in_scope(self, qs, lookup):
        if self.scope_ids is None:
            return qs
        return qs.filter(**{f"{lookup}__in": self.scope_ids})

    def _community(self, values, nip) -> Community:
        key = nip or values["community"].lower()
        if key in self._communities:
            return self._communities[key]
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
                raise ValidationError(
                    {
                        _col("community"): _(
                            "Nie ma takiej wspólnoty wśród wspólnot, którymi się zajmujesz. "
                            "Nowe wspólnoty zakłada administrator biura."
                        )
                    }
                )
            found = Community(
                company=self._company(),
                name=values["community"],
                nip=nip or "",
                street=values["street"],
                postal_code=values["postal_code"],
                city=values["city"],
            )
            self._clean(found, {"postal_code": "postal_code", "city": "city"})
            found.save()
        self._communities[key] = found
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
        if key in self._buildings:
            return self._buildings[key]
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
            self._clean(building, {"postal_code": "postal_code", "city": "city"})
            building.save()
        self._buildings[key] = building
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
        self._clean(
            premises,
            {"area": "area", "persons": "persons", "bank_account": "bank_account"},
            exclude=["building"],
        )
        premises.save()
        return premises

    def _person(self, values, phone, premises) -> User:
        people = User.objects.filter(is_superuser=False)
        if self.scope_ids is not None:
            people = people.filter(
                ownerships__premises__building__community__in=self.scope_ids
            ).distinct()
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
            user = None
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
                same_name = people.filter(
                    first_name__iexact=values["first_name"],
                    last_name__iexact=values["last_name"],
                    ownerships__premises=premises,
                ).order_by("pk")
                user = same_name.first()
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
            if user is None:
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
        self._clean(
            user,
            {"email": "email", "first_name": "first_name", "last_name": "last_name"},
            exclude=["password", "username"],
        )
        user.save()
        return user

    def _login_for_new_person(self) -> str:
        """The login planned for this row in the preview, if still free; else a new one."""
        key = str(self._row_number)
        planned = self._planned_logins.get(key)
        if planned and not User.objects.filter(username=planned).exists():
            return planned
        login = login_generate()
        self._planned_logins[key] = login
        return login

    @staticmethod
    def _clean(instance, columns, exclude=None):
        """Model validation with errors under the spreadsheet's column names."""
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as e:
            raise ValidationError(
                {
                    _col(columns.get(field, "community")) if field in columns else field: msgs
                    for field, msgs in e.message_dict.items()
                }
            ) from None


class PremisesExportResource(resources.ModelResource):
    community = fields.Field(
        attribute="building__community__name", column_name=str(gettext_lazy("Wspólnota"))
    )
    street = fields.Field(attribute="building__street", column_name=_col("street"))
    number = fields.Field(attribute="number", column_name=_col("number"))
    kind = fields.Field(attribute="get_kind_display", column_name=_col("kind"))
    area = fields.Field(attribute="area", column_name=_col("area"))
    persons = fields.Field(attribute="persons", column_name=_col("persons"))
    share = fields.Field(attribute="share_display", column_name=_col("share"))
    bank_account = fields.Field(attribute="bank_account", column_name=_col("bank_account"))

    class Meta:
        model = Premises
        fields = (
            "community",
            "street",
            "number",
            "kind",
            "area",
            "persons",
            "share",
            "bank_account",
        )
        export_order = fields

    def get_export_queryset(self, request=None):
        return Premises.objects.select_related("building__community")


class PeopleExportResource(resources.ModelResource):
    login = fields.Field(attribute="username", column_name=_col("login"))
    first_name = fields.Field(attribute="first_name", column_name=_col("first_name"))
    last_name = fields.Field(attribute="last_name", column_name=_col("last_name"))
    email = fields.Field(attribute="email", column_name=_col("email"))
    phone = fields.Field(attribute="phone", column_name=_col("phone"))
    address = fields.Field(attribute="correspondence_address", column_name=_col("address"))
    state = fields.Field(attribute="account_state", column_name=str(gettext_lazy("Stan konta")))

    class Meta:
        model = User
        fields = ("login", "first_name", "last_name", "email", "phone", "address", "state")
        export_order = fields
