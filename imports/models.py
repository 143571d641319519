"""An uploaded import file kept on the server between its preview and its application.

The preview page hands the browser only a random, single-use token (pretix's ``CachedFile``
shape); the file itself never round-trips through the browser. Applying claims the upload
under a row lock and marks it used in the same transaction as the rows it creates.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StoredUpload(models.Model):
    token = models.UUIDField(_("token podglądu"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("rodzaj importu"), max_length=30)
    community = models.ForeignKey(
        "premises.Community",
        verbose_name=_("wspólnota"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("plik"), max_length=255)
    content = models.BinaryField(_("zawartość"))
    sha256 = models.CharField(_("skrót pliku (SHA-256)"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wczytał(a)"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("wczytano"), auto_now_add=True)
    used_at = models.DateTimeField(_("zatwierdzono"), null=True, blank=True)
    # What the preview promised and applying must keep (e.g. the register's new logins).
    plan = models.JSONField(_("plan podglądu"), default=dict, blank=True)

    class Meta:
        verbose_name = _("wczytany plik importu")
        verbose_name_plural = _("wczytane pliki importu")

    def __str__(self):
        return self.file_name
