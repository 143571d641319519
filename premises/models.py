"""The register: who runs the portal, communities, buildings, premises and who holds them."""

import datetime
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lib.validators import (
    format_nrb,
    validate_nip,
    validate_nrb,
    validate_postal_code,
    validate_regon,
)


def _today() -> datetime.date:
    return timezone.localdate()


class Company(models.Model):
    """The office running the portal (zarządca, licencjobiorca)."""

    name = models.CharField(_("nazwa"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    address = models.CharField(_("adres"), max_length=255, blank=True)
    phone = models.CharField(_("telefon Call Center"), max_length=30)
    email = models.EmailField(_("e-mail biura"), blank=True)
    website = models.URLField(_("strona internetowa"), blank=True)
    office_hours = models.CharField(_("godziny pracy biura"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("zarządca (licencjobiorca)")
        verbose_name_plural = _("zarządca (licencjobiorca)")

    def __str__(self):
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        HOUSING_COMMUNITY = "wspolnota", _("wspólnota mieszkaniowa")
        COOPERATIVE = "spoldzielnia", _("spółdzielnia mieszkaniowa")

    company = models.ForeignKey(
        Company, verbose_name=_("zarządca"), on_delete=models.PROTECT, related_name="communities"
    )
    kind = models.CharField(
        _("rodzaj"), max_length=20, choices=Kind.choices, default=Kind.HOUSING_COMMUNITY
    )
    name = models.CharField(_("nazwa"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=13, blank=True, validators=[validate_nip])
    regon = models.CharField(_("REGON"), max_length=14, blank=True, validators=[validate_regon])
    street = models.CharField(_("ulica i numer"), max_length=200)
    postal_code = models.CharField(
        _("kod pocztowy"),
        max_length=6,
        validators=[validate_postal_code],
        help_text=_("W formacie NN-NNN, np. 00-950."),
    )
    city = models.CharField(_("miejscowość"), max_length=100)
    bank_account = models.CharField(
        _("rachunek bankowy"), max_length=34, blank=True, validators=[validate_nrb]
    )
    office_hours = models.CharField(_("godziny przyjęć"), max_length=255, blank=True)
    # Settings of the community (uchwały, regulamin).
    payment_due_day = models.PositiveSmallIntegerField(
        _("dzień płatności zaliczek"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("Zaliczki są płatne do tego dnia każdego miesiąca."),
    )
    reading_window_start_day = models.PositiveSmallIntegerField(
        _("odczyty liczników od dnia"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    reading_window_end_day = models.PositiveSmallIntegerField(
        _("odczyty liczników do dnia"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_(
            "Gdy dzień końca jest wcześniejszy niż dzień początku, okno kończy się w następnym "
            "miesiącu (np. od 20 do 12); w przeciwnym razie mieści się w jednym miesiącu "
            "(np. od 1 do 10). Dzień 31 oznacza ostatni dzień miesiąca."
        ),
    )
    e_delivery_start = models.DateField(
        _("początek e-doręczeń"),
        null=True,
        blank=True,
        help_text=_("Elektronicznie doręczane są tylko pisma utworzone od tej daty (włącznie)."),
    )
    payment_demands_electronic = models.BooleanField(
        _("wezwania do zapłaty także elektronicznie"), default=False
    )
    # Feature switches: what residents of this community can use.
    meter_readings_enabled = models.BooleanField(
        _("odczyty liczników przez mieszkańców"), default=True
    )
    failure_reports_enabled = models.BooleanField(_("zgłaszanie awarii"), default=True)
    voting_enabled = models.BooleanField(_("głosowanie nad uchwałami"), default=False)
    e_delivery_enabled = models.BooleanField(_("e-doręczenia korespondencji"), default=True)
    sms_enabled = models.BooleanField(_("powiadomienia SMS"), default=False)
    payment_reminders_enabled = models.BooleanField(
        _("przypomnienia o terminie płatności"),
        default=True,
        help_text=_(
            "E-mail i SMS z kwotą i terminem przed dniem płatności zaliczek oraz SMS biura "
            "o zaległościach. Wyłączone: mieszkańcy tej wspólnoty nie dostają żadnych "
            "przypomnień o płatności."
        ),
    )
    sms_transliterate = models.BooleanField(
        _("SMS bez polskich znaków"),
        default=False,
        help_text=_(
            "Polskie litery zamieniane na łacińskie (ą → a): część SMS mieści 153 znaki "
            "zamiast 67, więc wiadomość kosztuje mniej części."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wspólnota / spółdzielnia")
        verbose_name_plural = _("wspólnoty / spółdzielnie")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def bank_account_display(self) -> str:
        return format_nrb(self.bank_account) if self.bank_account else ""


class CommunityRole(models.Model):
    """Office staff assigned to a community, or a member of its board (zarząd)."""

    class Role(models.TextChoices):
        OFFICE_STAFF = "staff", _("pracownik biura")
        BOARD = "board", _("członek zarządu")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("osoba"),
        on_delete=models.CASCADE,
        related_name="community_roles",
    )
    community = models.ForeignKey(
        Community, verbose_name=_("wspólnota"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("rola"), max_length=10, choices=Role.choices)
    function = models.CharField(
        _("funkcja"), max_length=100, blank=True, help_text=_("Np. prezes zarządu.")
    )

    class Meta:
        verbose_name = _("rola we wspólnocie")
        verbose_name_plural = _("role w wspólnotach")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "role"], name="unique_community_role"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} ({self.community})"


class Building(models.Model):
    community = models.ForeignKey(
        Community, verbose_name=_("wspólnota"), on_delete=models.PROTECT, related_name="buildings"
    )
    street = models.CharField(_("ulica i numer"), max_length=200)
    postal_code = models.CharField(
        _("kod pocztowy"),
        max_length=6,
        validators=[validate_postal_code],
        help_text=_("W formacie NN-NNN, np. 00-950."),
    )
    city = models.CharField(_("miejscowość"), max_length=100)

    class Meta:
        verbose_name = _("budynek")
        verbose_name_plural = _("budynki")
        ordering = ["city", "street"]

    def __str__(self):
        return self.address

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


class PremisesQuerySet(models.QuerySet):
    def held_by(self, user, on: datetime.date | None = None):
        """Premises in which ``user`` holds a role on the given day (today by default)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Exists(Ownership.objects.current(on).filter(user=user, premises=OuterRef("pk")))
        )


class Premises(models.Model):
    class Kind(models.TextChoices):
        FLAT = "flat", _("mieszkanie")
        COMMERCIAL = "commercial", _("lokal użytkowy")
        GARAGE = "garage", _("garaż")
        PARKING = "parking", _("miejsce postojowe")
        STORAGE = "storage", _("komórka lokatorska")

    building = models.ForeignKey(
        Building, verbose_name=_("budynek"), on_delete=models.PROTECT, related_name="premises"
    )
    number = models.CharField(_("numer lokalu"), max_length=20)
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices, default=Kind.FLAT)
    area = models.DecimalField(
        _("powierzchnia [m²]"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    persons = models.PositiveSmallIntegerField(_("liczba osób"), default=0)
    share_numerator = models.PositiveBigIntegerField(_("udział – licznik"))
    share_denominator = models.PositiveBigIntegerField(
        _("udział – mianownik"), validators=[MinValueValidator(1)]
    )
    bank_account = models.CharField(
        _("indywidualny rachunek bankowy"),
        max_length=34,
        blank=True,
        validators=[validate_nrb],
        help_text=_("26 cyfr NRB; wpłaty z wyciągu są przypisywane po tym numerze."),
    )

    objects = PremisesQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lokal")
        verbose_name_plural = _("lokale")
        ordering = ["building__street", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unique_premises_number"),
            models.UniqueConstraint(
                fields=["bank_account"],
                condition=~Q(bank_account=""),
                name="unique_premises_bank_account",
            ),
            models.CheckConstraint(
                condition=Q(share_numerator__lte=models.F("share_denominator")),
                name="premises_share_at_most_one",
            ),
            # A share of n/0 is no number: every tally and share sum divides by it.
            models.CheckConstraint(
                condition=Q(share_denominator__gte=1), name="premises_share_denominator_positive"
            ),
        ]

    def __str__(self):
        return f"{self.building.street} / {self.number}"

    def clean(self):
        if self.bank_account:
            self.bank_account = "".join(self.bank_account.split()).upper().removeprefix("PL")

    @property
    def share(self) -> Fraction:
        return Fraction(self.share_numerator, self.share_denominator)

    @property
    def share_display(self) -> str:
        return f"{self.share_numerator}/{self.share_denominator}"

    @property
    def bank_account_display(self) -> str:
        return format_nrb(self.bank_account) if self.bank_account else ""

    @property
    def community(self) -> Community:
        return self.building.community


class OwnershipQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or _today()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class Ownership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("właściciel")
        CO_OWNER = "co_owner", _("współwłaściciel")
        TENANT = "tenant", _("najemca")
        MEMBER = "member", _("członek spółdzielni")

    OWNER_ROLES = (Role.OWNER, Role.CO_OWNER, Role.MEMBER)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("osoba"),
        on_delete=models.PROTECT,
        related_name="ownerships",
    )
    premises = models.ForeignKey(
        Premises, verbose_name=_("lokal"), on_delete=models.PROTECT, related_name="ownerships"
    )
    role = models.CharField(_("rola"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("od"), default=_today)
    valid_to = models.DateField(_("do"), null=True, blank=True)
    is_correspondence_recipient = models.BooleanField(
        _("adresat korespondencji"),
        default=False,
        help_text=_("Spośród współwłaścicieli lokalu jedna osoba otrzymuje korespondencję."),
    )

    objects = OwnershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prawo do lokalu")
        verbose_name_plural = _("prawa do lokali")
        ordering = ["premises", "valid_from"]
        indexes = [models.Index(fields=["user", "valid_from", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="ownership_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["premises"],
                condition=Q(is_correspondence_recipient=True, valid_to__isnull=True),
                name="one_correspondence_recipient_per_premises",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.premises}"

    @property
    def is_owner(self) -> bool:
        return self.role in self.OWNER_ROLES
