"""Money of a premises: charges (obciążenia), payments (wpłaty) and how they were imported.

Booked history is never edited: a mistake is corrected with a new charge (a negative amount),
so the ledger a resident saw yesterday stays true. Admin therefore has no delete and shows
booked rows read-only (see ``finance.admin``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.templatetags.strefa import format_money
from premises.models import Community, Premises
from premises.validators import format_nrb, validate_nrb

MONEY = {"max_digits": 12, "decimal_places": 2}


class Fund(models.TextChoices):
    """The account a charge or payment belongs to; a community may keep funds apart."""

    OPERATING = "operating", _("koszty eksploatacji")
    REPAIR = "repair", _("fundusz remontowy")


class FundAccount(models.Model):
    """A community keeps this fund on its own bank account (e.g. fundusz remontowy).

    Its existence makes the resident's page show that fund's balance separately; bank
    payments to this account are booked to the fund.
    """

    community = models.ForeignKey(
        Community,
        verbose_name=_("wspólnota"),
        on_delete=models.CASCADE,
        related_name="fund_accounts",
    )
    fund = models.CharField(_("fundusz"), max_length=20, choices=Fund.choices)
    bank_account = models.CharField(
        _("rachunek bankowy funduszu"), max_length=34, validators=[validate_nrb]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wyodrębniony rachunek funduszu")
        verbose_name_plural = _("wyodrębnione rachunki funduszy")
        constraints = [
            models.UniqueConstraint(fields=["community", "fund"], name="unique_community_fund"),
            models.UniqueConstraint(fields=["bank_account"], name="unique_fund_bank_account"),
        ]

    def __str__(self):
        return f"{self.community} – {self.get_fund_display()}"

    @property
    def bank_account_display(self) -> str:
        return format_nrb(self.bank_account)


class ImportBatch(models.Model):
    """One applied import file; rows it created point back to it."""

    class Kind(models.TextChoices):
        CHARGES = "charges", _("naliczenia (CSV)")
        BANK_CSV = "bank_csv", _("wyciąg bankowy (CSV)")
        BANK_MT940 = "bank_mt940", _("wyciąg bankowy (MT940)")
        BANK_CAMT = "bank_camt", _("wyciąg bankowy (camt.053)")
        BANK_ELIXIR = "bank_elixir", _("wyciąg bankowy (Elixir-0)")

    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Community,
        verbose_name=_("wspólnota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finance_imports",
    )
    file_name = models.CharField(_("plik"), max_length=255)
    file_sha256 = models.CharField(_("skrót pliku (SHA-256)"), max_length=64)
    rows_created = models.PositiveIntegerField(_("dodane pozycje"), default=0)
    rows_skipped = models.PositiveIntegerField(_("pominięte pozycje"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zaimportował(a)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("data importu"), auto_now_add=True)
    # The preview this batch applied: unique, so a second confirmation cannot add a batch.
    upload = models.OneToOneField(
        "imports.StoredUpload",
        verbose_name=_("wczytany plik"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finance_batch",
    )

    class Meta:
        verbose_name = _("import finansowy")
        verbose_name_plural = _("importy finansowe")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "file_sha256"])]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.file_name}"


class Charge(models.Model):
    """An amount a premises owes (obciążenie / naliczenie); negative = a correction."""

    class Category(models.TextChoices):
        MANAGEMENT = "management", _("zaliczka na koszty zarządu")
        REPAIR_FUND = "repair_fund", _("fundusz remontowy")
        WATER = "water", _("woda i ścieki")
        HEATING = "heating", _("centralne ogrzewanie")
        WASTE = "waste", _("odpady")
        OTHER = "other", _("inne")

    premises = models.ForeignKey(
        Premises, verbose_name=_("lokal"), on_delete=models.PROTECT, related_name="charges"
    )
    category = models.CharField(_("kategoria"), max_length=20, choices=Category.choices)
    fund = models.CharField(
        _("fundusz"),
        max_length=20,
        choices=Fund.choices,
        default=Fund.OPERATING,
        help_text=_("Na który fundusz (rachunek) należy wpłacić tę kwotę."),
    )
    title = models.CharField(_("tytuł"), max_length=200)
    period = models.DateField(_("okres"), help_text=_("Pierwszy dzień miesiąca, którego dotyczy."))
    due_date = models.DateField(_("termin płatności"))
    amount = models.DecimalField(
        _("kwota"), **MONEY, help_text=_("Korekta to nowa pozycja z kwotą ujemną.")
    )
    rate = models.CharField(
        _("stawka"),
        max_length=100,
        blank=True,
        help_text=_("Jak wyliczono kwotę, np. „3,50 zł/m² × 54,20 m²”; widać ją w wykazie opłat."),
    )
    # The accounting system's own id of the charge (the file's "identyfikator" column, the
    # API's external_id): where both have one, it alone tells two charges apart.
    external_id = models.CharField(
        _("identyfikator w systemie biura"), max_length=100, blank=True, default=""
    )
    created_at = models.DateTimeField(_("zaksięgowano"), auto_now_add=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("naliczenie")
        verbose_name_plural = _("naliczenia")
        ordering = ["-due_date", "-pk"]
        indexes = [
            models.Index(fields=["premises", "due_date"]),
            models.Index(fields=["premises", "period"]),
            # The admin list's order, newest first (issue 17).
            models.Index(fields=["due_date", "id"], name="charge_due_date_id"),
            # Charges due after a day, read whole from the index: the balance list subtracts
            # them from the ledger totals (``LedgerTotal``) to get what is due or overdue.
            models.Index(
                fields=["due_date", "premises", "fund", "amount"], name="charge_due_after_cover"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="charge_amount_not_zero"),
            # The same charge imported twice (another file, CRLF line endings) is one charge;
            # a correction has its own title or its own id in the accounting system. The rule
            # of "the same charge" is ``finance.imports.charge_identity``; this is its backstop.
            models.UniqueConstraint(
                fields=["premises", "category", "period", "title", "external_id"],
                name="unique_charge",
            ),
            models.UniqueConstraint(
                fields=["premises", "external_id"],
                condition=~Q(external_id=""),
                name="unique_charge_external_id",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.period:%m.%Y})"

    @staticmethod
    def fund_for_category(category: str) -> str:
        return Fund.REPAIR if category == Charge.Category.REPAIR_FUND else Fund.OPERATING


class Payment(models.Model):
    """Money received for a premises (wpłata); no premises = awaiting manual assignment."""

    class Match(models.TextChoices):
        ACCOUNT = "account", _("rachunek indywidualny lokalu")
        VIRTUAL = "virtual", _("rachunek wirtualny w opisie przelewu")
        TITLE = "title", _("numer lokalu w tytule")
        MANUAL = "manual", _("przypisana ręcznie")

    class Source(models.TextChoices):
        BANK = "bank", _("przelew bankowy")
        CASH = "cash", _("wpłata gotówkowa")
        OTHER = "other", _("inne")

    premises = models.ForeignKey(
        Premises,
        verbose_name=_("lokal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text=_("Puste: wpłata nieprzypisana, czeka na ręczne przypisanie."),
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("wspólnota"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Wspólnota, na której rachunek wpłynęły pieniądze."),
    )
    match = models.CharField(
        _("dopasowanie"), max_length=10, choices=Match.choices, blank=True, default=""
    )
    booked_on = models.DateField(_("data księgowania"))
    amount = models.DecimalField(_("kwota"), **MONEY)
    title = models.CharField(_("tytuł"), max_length=255, blank=True)
    source = models.CharField(
        _("źródło"), max_length=10, choices=Source.choices, default=Source.BANK
    )
    bank_transaction_id = models.CharField(
        _("identyfikator transakcji w banku"), max_length=100, blank=True
    )
    payer_name = models.CharField(_("zleceniodawca"), max_length=200, blank=True)
    payer_account = models.CharField(_("rachunek zleceniodawcy"), max_length=34, blank=True)
    recipient_account = models.CharField(_("rachunek odbiorcy"), max_length=34, blank=True)
    fund = models.CharField(
        _("fundusz"),
        max_length=20,
        choices=Fund.choices,
        blank=True,
        help_text=_("Puste: koszty eksploatacji (rachunek główny lub indywidualny lokalu)."),
    )
    created_at = models.DateTimeField(_("zaksięgowano"), auto_now_add=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("wpłata")
        verbose_name_plural = _("wpłaty")
        ordering = ["-booked_on", "-pk"]
        indexes = [
            models.Index(fields=["premises", "booked_on"]),
            # The admin list's order, newest first (issue 17).
            models.Index(fields=["booked_on", "id"], name="payment_booked_on_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["bank_transaction_id"],
                condition=~Q(bank_transaction_id=""),
                name="unique_bank_transaction_id",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="payment_amount_not_zero"),
        ]

    def __str__(self):
        return f"{self.booked_on:%d.%m.%Y} {format_money(self.amount)}"


class LedgerTotal(models.Model):
    """All charges and all payments ever booked for one premises and fund: a summary of the
    ledger, so the office's balance list need not add up the whole register on every view.

    Derived data, never edited by hand: ``finance.services.ledger_totals_refresh`` is the one
    function that writes it, recounting the given premises from their charges and payments in
    the same transaction as the write that changed them (single saves through the signals in
    ``finance.signals``, bulk writes by calling it). Payments without a fund count towards the
    operating fund. Figures that depend on the day (due by today, overdue) subtract the few
    charges due after that day (``finance.selectors``).
    """

    premises = models.ForeignKey(Premises, on_delete=models.CASCADE, related_name="+")
    fund = models.CharField(max_length=20, choices=Fund.choices)
    charges = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    payments = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["premises", "fund"], name="unique_ledger_total")
        ]

    def __str__(self):
        return f"{self.premises_id}/{self.fund}: {self.charges} / {self.payments}"


class PremisesAccount(Premises):
    """A premises seen as an account: the office's balance list ("salda lokali") in admin."""

    class Meta:
        proxy = True
        verbose_name = _("saldo lokalu")
        verbose_name_plural = _("salda lokali")
        default_permissions = ("view",)
