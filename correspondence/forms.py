import os

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from lib.files import office_zip_check, pdf_check, safe_file_name, sniff_kind
from lib.phones import normalize_phone
from portal.images import MAX_UPLOAD_BYTES as MAX_PHOTO_BYTES
from portal.images import image_header_check, process_uploaded_image

from .models import DeliveryConsent
from .selectors import owned_premises_for_user, premises_for_user

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024  # documents; photos up to MAX_PHOTO_BYTES (re-encoded)
MAX_ATTACHMENTS = 5
MAX_MESSAGE_LENGTH = 5000
# Extension -> what the content must be (lib.files.sniff_kind).
ALLOWED_KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".odt": "odt",
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".png": "png",
    ".webp": "webp",
    ".heic": "heic",
    ".heif": "heic",
}
PHOTO_KINDS = {"jpg", "png", "webp", "heic"}
ACCEPT = ",".join(ALLOWED_KINDS)


def message_body_field(label):
    return forms.CharField(
        label=label,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "max_length": _(
                "Wiadomość może mieć najwyżej %(limit_value)d znaków (teraz ma %(show_value)d). "
                "Skróć ją lub dołącz dłuższy tekst jako plik."
            )
        },
    )


def validate_attachment(upload) -> str:
    """Type by content, size, active content and archive bombs; returns the kind. Cheap: a
    photo is only checked from its header here and decoded by :func:`attachment_clean`."""
    ext = os.path.splitext(upload.name)[1].lower()
    kind = sniff_kind(upload)
    expected = ALLOWED_KINDS.get(ext)
    is_photo = kind in PHOTO_KINDS and expected in PHOTO_KINDS  # re-encoded whatever it was
    if expected is None or (kind != expected and not is_photo):
        raise ValidationError(
            _(
                "Plik „%(name)s” nie jest dokumentem PDF, DOCX, XLSX, ODT ani zdjęciem JPG, "
                "PNG lub HEIC."
            )
            % {"name": upload.name},
            code="bad_type",
        )
    limit = MAX_PHOTO_BYTES if is_photo else MAX_ATTACHMENT_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Plik „%(name)s” jest za duży (maksymalnie %(mb)d MB).")
            % {"name": upload.name, "mb": limit // 2**20},
            code="too_large",
        )
    if is_photo:
        image_header_check(upload)
    elif kind == "pdf":
        pdf_check(upload)
    else:
        office_zip_check(upload)
    return kind


def attachment_clean(upload):
    """What is stored: a photo re-encoded as JPEG without metadata (GPS), a document as sent;
    both under the original name, sanitised (the photo's extension becomes .jpg)."""
    if sniff_kind(upload) in PHOTO_KINDS:
        processed = process_uploaded_image(upload)
        stem = os.path.splitext(safe_file_name(upload.name))[0]
        processed.image.name = safe_file_name(stem, extension=".jpg", default="zdjecie")
        return processed.image
    upload.name = safe_file_name(upload.name)
    return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "Do %(count)d plików: PDF, DOCX, XLSX lub ODT do %(mb)d MB, zdjęcia JPG, PNG "
                "lub HEIC do %(photo_mb)d MB (dane o miejscu wykonania zdjęcia usuwamy)."
            )
            % {
                "count": MAX_ATTACHMENTS,
                "mb": MAX_ATTACHMENT_BYTES // 2**20,
                "photo_mb": MAX_PHOTO_BYTES // 2**20,
            },
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT)

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


class _MessageForm(forms.Form):
    """Photos are decoded and re-encoded only once the rest of the message is valid."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("attachments"):
            try:
                cleaned["attachments"] = [attachment_clean(f) for f in cleaned["attachments"]]
            except ValidationError as error:
                self.add_error("attachments", error)
        return cleaned


class ThreadForm(_MessageForm):
    premises = forms.ModelChoiceField(
        label=_("Lokal"), queryset=None, empty_label=None, help_text=_("Którego lokalu dotyczy.")
    )
    subject = forms.CharField(label=_("Temat"), max_length=200)
    body = message_body_field(_("Wiadomość"))
    attachments = AttachmentsField(label=_("Załączniki"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premises"].queryset = premises_for_user(user).order_by(
            "building__street", "number"
        )
        self.fields["premises"].label_from_instance = lambda p: (
            f"{p.building.address}, lokal {p.number}"
        )


class ReplyForm(_MessageForm):
    body = message_body_field(_("Odpowiedź"))
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
            # What the field is for, so a browser fills it and a phone shows digits (1.3.5).
            self.fields["address"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        elif channel == DeliveryConsent.Channel.EMAIL:
            self.fields["address"].label = _("Adres e-mail")
            self.fields["address"].widget.input_type = "email"
            self.fields["address"].widget.attrs["autocomplete"] = "email"
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
