import os
import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from lib.phones import normalize_phone

from .models import DeliveryConsent
from .selectors import owned_premises_for_user, premises_for_user

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".docx"}


def _sniff(upload) -> str | None:
    """The real type of an uploaded file from its content, or None if it is none we take."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return "docx"
    return None


def validate_attachment(upload) -> None:
    ext = os.path.splitext(upload.name)[1].lower()
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("Plik „%(name)s” jest za duży (maksymalnie %(mb)d MB).")
            % {"name": upload.name, "mb": MAX_ATTACHMENT_BYTES // 2**20},
            code="too_large",
        )
    kind = _sniff(upload)
    expected = {".jpeg": "jpg"}.get(ext, ext.lstrip("."))
    if ext not in ALLOWED_EXTENSIONS or kind != expected:
        raise ValidationError(
            _("Plik „%(name)s” nie jest dokumentem PDF, DOCX ani zdjęciem JPG/PNG.")
            % {"name": upload.name},
            code="bad_type",
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Do %(count)d plików PDF, DOCX, JPG lub PNG, każdy do %(mb)d MB.")
            % {"count": MAX_ATTACHMENTS, "mb": MAX_ATTACHMENT_BYTES // 2**20},
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ".pdf,.docx,.jpg,.jpeg,.png")

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(
                _("Można dołączyć najwyżej %(count)d plików.") % {"count": MAX_ATTACHMENTS}
            )
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                validate_attachment(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ThreadForm(forms.Form):
    premises = forms.ModelChoiceField(
        label=_("Lokal"), queryset=None, empty_label=None, help_text=_("Którego lokalu dotyczy.")
    )
    subject = forms.CharField(label=_("Temat"), max_length=200)
    body = forms.CharField(label=_("Wiadomość"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = AttachmentsField(label=_("Załączniki"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premises"].queryset = premises_for_user(user).order_by(
            "building__street", "number"
        )
        self.fields["premises"].label_from_instance = lambda p: (
            f"{p.building.address}, lokal {p.number}"
        )


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Odpowiedź"), widget=forms.Textarea(attrs={"rows": 4}))
    attachments = AttachmentsField(label=_("Załączniki"))


class ConsentForm(forms.Form):
    premises = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    channel = forms.ChoiceField(choices=DeliveryConsent.Channel.choices, widget=forms.HiddenInput)
    address = forms.CharField(label=_("Adres e-mail lub numer telefonu"), max_length=254)
    agree = forms.BooleanField(
        label=_("Wyrażam zgodę o powyższej treści"),
        error_messages={"required": _("Zaznacz, że wyrażasz zgodę.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premises"].queryset = owned_premises_for_user(user)
        channel = self.data.get(self.add_prefix("channel")) or self.initial.get("channel")
        if channel == DeliveryConsent.Channel.SMS:
            self.fields["address"].label = _("Numer telefonu komórkowego")
            self.fields["address"].widget.input_type = "tel"
        elif channel == DeliveryConsent.Channel.EMAIL:
            self.fields["address"].label = _("Adres e-mail")
            self.fields["address"].widget.input_type = "email"
        self.fields["premises"].error_messages["invalid_choice"] = _(
            "Zgodę może wyrazić tylko właściciel, współwłaściciel lub członek spółdzielni."
        )

    def clean(self):
        cleaned = super().clean()
        address = (cleaned.get("address") or "").strip()
        channel = cleaned.get("channel")
        if channel == DeliveryConsent.Channel.EMAIL and address:
            try:
                validate_email(address)
            except ValidationError:
                self.add_error("address", _("Podaj poprawny adres e-mail."))
        elif channel == DeliveryConsent.Channel.SMS and address:
            try:
                cleaned["address"] = normalize_phone(address, mobile=True)
            except ValidationError as error:
                self.add_error("address", error)
        if address and channel == DeliveryConsent.Channel.EMAIL:
            cleaned["address"] = address
        return cleaned
