from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lib.phones import PhoneFormField
from portal.images import MAX_UPLOAD_BYTES, image_header_check, process_uploaded_image

from .models import FailureReport

MAX_PHOTOS = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            return [single_file_clean(item, initial) for item in data if item]
        return [single_file_clean(data, initial)] if data else []


class FailureReportForm(forms.Form):
    place = forms.ChoiceField(label=_("Dotyczy"))
    description = forms.CharField(
        label=_("Opis zgłoszenia"),
        min_length=10,
        max_length=2000,
        error_messages={
            "min_length": _("Opisz awarię dokładniej (co najmniej %(limit_value)d znaków)."),
            "required": _("Opisz, co się zepsuło i gdzie."),
        },
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Opisz, co się stało i gdzie (np. piętro, klatka). Nie podawaj danych osobowych – "
            "opis widzą inni mieszkańcy budynku."
        ),
    )
    contact_phone = PhoneFormField(
        label=_("Telefon kontaktowy"),
        help_text=_("Widzi go tylko biuro. Zadzwonimy, jeśli będziemy potrzebować szczegółów."),
    )
    photos = MultipleFileField(label=_("Dodaj zdjęcia"), required=False)

    def __init__(self, *args, user, places, **kwargs):
        """``places``: ``failure_places_for_user(user)``, i.e. [(building, [premises, …]), …]."""
        super().__init__(*args, **kwargs)
        self.user = user
        self._targets: dict[str, tuple] = {}
        choices: list = [("", _("— wybierz lokal lub budynek —"))]
        for building, premises_list in places:
            group = []
            for premises in premises_list:
                key = f"lokal-{premises.pk}"
                self._targets[key] = (building, premises)
                label = _("lokal %(number)s") % {"number": premises.number}
                if premises.kind != premises.Kind.FLAT:
                    label = f"{label} ({premises.get_kind_display()})"
                group.append((key, label))
            key = f"budynek-{building.pk}"
            self._targets[key] = (building, None)
            group.append((key, _("część wspólna budynku (klatka, piwnica, dach, winda…)")))
            choices.append((building.address, group))
        self.fields["place"].choices = choices
        self.fields["photos"].help_text = _(
            "Możesz wybrać kilka zdjęć (najwyżej %(count)d): JPEG, PNG, WebP lub HEIC, "
            "do %(mb)d MB każde. Dane o miejscu wykonania zdjęcia (GPS) usuwamy."
        ) % {"count": MAX_PHOTOS, "mb": MAX_UPLOAD_BYTES // 2**20}
        self.fields["photos"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp,image/heic"
        if not self.is_bound and user.phone:
            self.initial.setdefault("contact_phone", user.phone)
        self.processed_photos = []

    def clean_place(self):
        target = self._targets.get(self.cleaned_data["place"])
        if target is None:
            raise ValidationError(_("Wybierz lokal lub budynek z listy."), code="invalid_place")
        return target

    def clean_description(self):
        return self.cleaned_data["description"].strip()

    def clean_photos(self):
        """Count, size, type and resolution from the headers; decoding waits for ``clean``."""
        uploads = self.cleaned_data["photos"]
        if len(uploads) > MAX_PHOTOS:
            raise ValidationError(
                _("Możesz dodać najwyżej %(count)d zdjęć.") % {"count": MAX_PHOTOS},
                code="too_many",
            )
        self._raise_photo_errors(uploads, image_header_check)
        return uploads

    def clean(self):
        cleaned = super().clean()
        if not self.errors:  # decode (the costly part) only for an otherwise valid report
            self.processed_photos = self._raise_photo_errors(
                cleaned.get("photos") or [], process_uploaded_image, field="photos"
            )
        return cleaned

    def _raise_photo_errors(self, uploads, check, field=None):
        errors, results = [], []
        for upload in uploads:
            try:
                results.append(check(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            # Browsers never re-fill a file input, so the user has to pick the photos again.
            errors.append(_("Nic nie zostało zapisane. Wybierz zdjęcia ponownie."))
            if field is None:
                raise ValidationError(errors)
            self.add_error(field, errors)
        return results

    @property
    def building(self):
        return self.cleaned_data["place"][0]

    @property
    def premises(self):
        return self.cleaned_data["place"][1]


class FailureAdminForm(forms.ModelForm):
    """Admin: the report itself plus a status change with a comment and an after-repair photo."""

    new_status = forms.ChoiceField(
        label=_("Zmień status na"),
        required=False,
        choices=[("", "—"), *FailureReport.Status.choices],
        help_text=_(
            "Dozwolone: zgłoszona → przyjęta lub odrzucona; przyjęta → w realizacji lub "
            "odrzucona; w realizacji → zakończona. Zgłaszający dostanie e-mail."
        ),
    )
    status_comment = forms.CharField(
        label=_("Komentarz do zmiany statusu"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Widoczny dla mieszkańców budynku. Bez danych osobowych."),
    )
    repair_photo = forms.FileField(
        label=_("Dodaj zdjęcie (np. po naprawie)"),
        required=False,
        help_text=_("JPEG, PNG, WebP lub HEIC; dane EXIF/GPS są usuwane."),
    )

    class Meta:
        model = FailureReport
        fields = ["building", "premises", "reporter", "description", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.processed_photo = None

    def clean_new_status(self):
        status = self.cleaned_data["new_status"]
        if not status:
            return ""
        if not self.instance.pk:
            raise ValidationError(_("Status ustawisz po zapisaniu zgłoszenia."))
        if not self.instance.can_change_to(status):
            raise ValidationError(
                _("Zgłoszenia o statusie „%(current)s” nie można zmienić na „%(new)s”.")
                % {
                    "current": self.instance.get_status_display(),
                    "new": FailureReport.Status(status).label,
                },
                code="invalid_transition",
            )
        return status

    def clean_repair_photo(self):
        upload = self.cleaned_data.get("repair_photo")
        if upload:
            image_header_check(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("repair_photo")
        if upload and not self.errors:  # decode only once the rest of the form is valid
            try:
                self.processed_photo = process_uploaded_image(upload)
            except ValidationError as error:
                self.add_error("repair_photo", error)
        return cleaned
