"""lib.phones: one phone rule — any way of typing in, E.164 stored, Polish format shown."""

import pytest
from django.core.exceptions import ValidationError

from lib.phones import PhoneFormField, format_phone, normalize_phone, validate_phone_e164


@pytest.mark.parametrize(
    "raw",
    [
        "601-200-300",
        "601 200 300",
        "601200300",
        "+48 601 200 300",
        "+48601200300",
        "0048 601 200 300",
        "48601200300",
        "(+48) 601-200-300",
    ],
)
def test_every_way_of_typing_is_stored_e164(raw):
    assert normalize_phone(raw) == "+48601200300"
    assert normalize_phone(raw, mobile=True) == "+48601200300"


def test_landline_and_foreign_numbers():
    assert normalize_phone("22 100 20 30") == "+48221002030"
    assert normalize_phone("+49 30 1234567") == "+49301234567"
    with pytest.raises(ValidationError, match="komórkowego"):
        normalize_phone("22 100 20 30", mobile=True)


@pytest.mark.parametrize("raw", ["12", "12345", "0601200300", "telefon", "601 200 30", ""])
def test_not_a_number_is_refused_in_polish(raw):
    with pytest.raises(ValidationError, match="Podaj prawidłowy numer telefonu"):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+48601200300", "+48 601 200 300"),
        ("+48221002030", "+48 22 100 20 30"),
        ("601-200-300", "+48 601 200 300"),
        ("anna@example.com", "anna@example.com"),
        ("", ""),
    ],
)
def test_shown_in_polish_format(stored, shown):
    assert format_phone(stored) == shown


def test_form_field_cleans_to_e164_and_shows_polish_format():
    field = PhoneFormField(required=False)
    assert field.clean("601-200-300") == "+48601200300"
    assert field.clean("") == ""
    assert field.prepare_value("+48601200300") == "+48 601 200 300"
    assert field.prepare_value("601-200-300") == "601-200-300"  # typed text shown back as typed
    assert not field.has_changed("+48601200300", "601 200 300")
    with pytest.raises(ValidationError):
        field.clean("12")


def test_stored_value_must_be_e164():
    validate_phone_e164("+48601200300")
    validate_phone_e164("")
    with pytest.raises(ValidationError, match="nie jest zapisany w formacie"):
        validate_phone_e164("601 200 300")
