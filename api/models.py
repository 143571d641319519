"""API keys of the office's accounting systems: stored hashed, scoped to communities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from premises.models import Community


class ApiKey(models.Model):
    """A key an integrator sends as ``Authorization: Bearer <prefix>.<secret>``.

    Only the SHA-256 of the secret is stored; the prefix finds the row. The key acts for the
    office administrator who created it (audit of imports and status changes), within its
    communities only.
    """

    class Access(models.TextChoices):
        READ = "read", _("tylko odczyt")
        READ_WRITE = "read_write", _("odczyt i zapis")

    name = models.CharField(
        _("nazwa"), max_length=100, help_text=_("Np. „Papirus – nocna synchronizacja”.")
    )
    prefix = models.CharField(_("prefiks klucza"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("skrót klucza (SHA-256)"), max_length=64, editable=False)
    communities = models.ManyToManyField(
        Community, verbose_name=_("wspólnoty"), related_name="api_keys"
    )
    access = models.CharField(
        _("uprawnienia"), max_length=10, choices=Access.choices, default=Access.READ
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utworzył(a)"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True)
    expires_on = models.DateField(
        _("ważny do"),
        null=True,
        blank=True,
        help_text=_(
            "Ostatni dzień, w którym klucz działa; później odpowiada jak nieprawidłowy. "
            "Puste – bez terminu."
        ),
    )
    revoked_at = models.DateTimeField(_("unieważniono"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("ostatnie użycie"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("klucz API")
        verbose_name_plural = _("klucze API")
        ordering = ["name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.READ_WRITE


class ExternalRef(models.Model):
    """The integrator's own id of an object it pushed, unique per community and kind.

    Premises, letters and announcements are named per community; a community's own id
    (``kind=community``, ``community`` is that community) is unique across the installation.
    Each object has at most one id of a kind.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", _("pismo")
        PREMISES = "premises", _("lokal")
        COMMUNITY = "community", _("wspólnota")
        ANNOUNCEMENT = "announcement", _("ogłoszenie")

    community = models.ForeignKey(
        Community, verbose_name=_("wspólnota"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    external_id = models.CharField(_("identyfikator zewnętrzny"), max_length=100)
    object_id = models.PositiveBigIntegerField(_("id w Strefie"))
    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True)

    class Meta:
        verbose_name = _("identyfikator zewnętrzny")
        verbose_name_plural = _("identyfikatory zewnętrzne")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "external_id"], name="unique_external_ref"
            ),
            models.UniqueConstraint(
                fields=["kind", "external_id"],
                condition=models.Q(kind="community"),
                name="unique_community_external_ref",
            ),
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="one_external_ref_per_object"
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.external_id}"
