import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.images import image_header_check

from .models import VALUE_MAX_DIGITS

# Digits grouped by spaces (any space: typed, no-break, the narrow one phones paste) or by dots
# before a decimal part, as the portal prints numbers: 12 345,678 and 12.345,678.
_GROUPED = re.compile(r"\d{1,3}(?:\s\d{3})+[,.]\d+|\d{1,3}(?:\.\d{3})+,\d+")


class MeterValueField(forms.DecimalField):
    """A meter's value as people type it: "123,456", "123.456", "12 345,678".

    A gap without a decimal part ("123 456") is refused, not guessed: on a water meter the
    black digits are cubic metres and the red ones litres, and reading the gap as a thousands
    separator would store a thousand times the value."""

    default_error_messages = {
        "min_value": _("Stan licznika nie może być ujemny."),
        "spaces": _(
            "Wpisz stan bez spacji, z przecinkiem przed cyframi po przecinku (na liczniku wody "
            "zwykle czerwonymi), np. 123,456."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if _GROUPED.fullmatch(value):
                whole, decimals = re.fullmatch(r"(.*)[,.](\d+)", value).groups()
                value = re.sub(r"[\s.]", "", whole) + "," + decimals
            elif re.search(r"\s", value):
                raise ValidationError(self.error_messages["spaces"], code="spaces")
        return super().to_python(value)


class ReadingForm(forms.Form):
    read_on = forms.DateField(
        label=_("Data odczytu"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    value = MeterValueField(
        label=_("Stan licznika"),
        max_digits=VALUE_MAX_DIGITS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Wpisz stan z wyświetlacza licznika, np. 123,456."),
    )
    photo = forms.FileField(
        label=_("Zdjęcie licznika (opcjonalnie)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
        ),
        help_text=_("Zdjęcie wyświetlacza pomaga biuru sprawdzić odczyt. JPEG, PNG lub HEIC."),
    )
    confirmed = forms.BooleanField(
        label=_("Potwierdzam, że podany stan licznika jest prawidłowy"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The confirmation is asked for only after an implausible value was refused once.
        if not (self.is_bound and "confirmed" in self.data):
            del self.fields["confirmed"]

    def clean_photo(self):
        """Type and resolution from the header; the photo is decoded once the value is valid."""
        photo = self.cleaned_data.get("photo")
        if photo:
            image_header_check(photo)
        return photo

    def ask_confirmation(self) -> None:
        if "confirmed" not in self.fields:
            self.fields["confirmed"] = forms.BooleanField(
                label=_("Potwierdzam, że podany stan licznika jest prawidłowy"), required=False
            )
