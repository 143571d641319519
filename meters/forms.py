from django import forms
from django.utils.translation import gettext_lazy as _

from portal.images import image_header_check

from .models import VALUE_MAX_DIGITS


class ReadingForm(forms.Form):
    read_on = forms.DateField(
        label=_("Data odczytu"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    value = forms.DecimalField(
        label=_("Stan licznika"),
        max_digits=VALUE_MAX_DIGITS,
        min_value=0,
        localize=True,
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
