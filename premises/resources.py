"""Register exports (django-import-export): one row per person holding a premises, and lists.

The register export's columns are the register import's (``premises.register``): an exported
file edited and loaded again updates instead of duplicating.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from accounts.models import User

from .models import Ownership, Premises

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

    def __init__(self, *, scope_ids=None, **kwargs):
        """``scope_ids``: communities the exporting user works for (None: all)."""
        super().__init__(**kwargs)
        self.scope_ids = scope_ids

    def get_export_queryset(self, request=None):
        return Ownership.objects.select_related("user", "premises__building__community")


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
