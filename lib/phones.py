"""The one phone-number rule of Strefa: parsed with ``phonenumbers``, stored E.164, shown Polish.

Residents type numbers every way ("601-200-300", "601 200 300", "+48 601 200 300", "0048…"):
each is accepted, stored as E.164 (``+48601200300``) and shown as ``+48 601 200 300``. A number
without a country code is Polish; foreign numbers need their ``+`` (or ``00``) prefix.
"""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

REGION = "PL"
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _parse(value: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(str(value), REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_phone(value: str, *, mobile: bool = False) -> str:
    """The number in E.164 (``+48601200300``); ``ValidationError`` in Polish when it is not one.

    ``mobile`` also refuses landlines (an SMS needs a mobile phone).
    """
    number = _parse(value)
    if mobile and (number is None or phonenumbers.number_type(number) not in _MOBILE_TYPES):
        raise ValidationError(
            _("Podaj numer telefonu komórkowego (9 cyfr, np. 601 200 300)."), code="phone_mobile"
        )
    if number is None:
        raise ValidationError(
            _(
                "Podaj prawidłowy numer telefonu, np. 601 200 300 lub +48 601 200 300 "
                "(numer zagraniczny z kierunkowym kraju)."
            ),
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    """How a number is shown: ``+48 601 200 300``; anything unparseable is shown as stored."""
    if not value:
        return ""
    number = _parse(value)
    if number is None:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_phone_e164(value: str) -> None:
    """A stored number is E.164 (what ``normalize_phone`` returns)."""
    if value and normalize_phone(value) != value:
        raise ValidationError(
            _("Numer telefonu „%(value)s” nie jest zapisany w formacie +48601200300."),
            code="phone_e164",
            params={"value": value},
        )


class TelInput(forms.TextInput):
    input_type = "tel"


class PhoneFormField(forms.CharField):
    """A form field accepting any way of typing a number, cleaning to E.164."""

    widget = TelInput

    def __init__(self, *, mobile: bool = False, **kwargs):
        self.mobile = mobile
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        return normalize_phone(value, mobile=self.mobile)

    def prepare_value(self, value):
        # A stored number is shown formatted; what the user typed is shown back as typed.
        if isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
            return format_phone(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        return attrs


class PhoneNumberField(models.CharField):
    """A phone number stored in E.164; its form field accepts "601-200-300" and the like."""

    default_validators = [validate_phone_e164]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})
