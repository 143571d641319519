from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portal.templatetags.strefa import format_money
from premises.validators import format_nrb, validate_nip, validate_nrb, validate_regon


def test_valid_nrb_with_spaces_and_prefix_passes():
    validate_nrb("61 1090 1014 0000 0712 1981 2874")
    validate_nrb("PL61109010140000071219812874")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("61109010140000071219812875", "suma kontrolna"),
        ("6110901014", "26 cyfr"),
        ("6110901014000007121981287A", "26 cyfr"),
    ],
)
def test_invalid_nrb_is_refused_in_polish(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_nrb(value)


def test_nrb_is_printed_in_bank_groups():
    assert format_nrb("61109010140000071219812874") == "61 1090 1014 0000 0712 1981 2874"


def test_nip_and_regon_checksums():
    validate_nip("5214349636")
    validate_regon("123456785")
    with pytest.raises(ValidationError):
        validate_nip("5214349637")
    with pytest.raises(ValidationError):
        validate_regon("123456786")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.56"), "1 234,56 zł"),
        (Decimal("0"), "0,00 zł"),
        (Decimal("-45.5"), "-45,50 zł"),
        (Decimal("1234567.891"), "1 234 567,89 zł"),
    ],
)
def test_money_is_polish_formatted(amount, text):
    # Spaces are no-break spaces, so an amount never wraps across lines.
    assert format_money(amount) == text.replace(" ", "\xa0")
