"""lib.validators: NRB (IBAN and the bank settlement number's check digit), postal codes."""

import pytest
from django.core.exceptions import ValidationError

from lib.validators import (
    format_nrb,
    settlement_number_is_valid,
    validate_nrb,
    validate_postal_code,
)

WEIGHTS = (3, 9, 7, 1, 3, 9, 7)


def settlement(bank_and_branch: str) -> str:
    """The 8-digit settlement number: 7 digits and NBP's check digit, computed here anew."""
    total = sum(int(d) * w for d, w in zip(bank_and_branch, WEIGHTS, strict=True))
    return bank_and_branch + str((10 - total % 10) % 10)


def nrb(settlement_number: str, account: str = "0000071219812874") -> str:
    """A full NRB with correct IBAN check digits (ISO 7064 mod 97-10, "PL" = 2521)."""
    bban = settlement_number + account
    return f"{98 - int(bban + '252100') % 97:02d}" + bban


@pytest.mark.parametrize(
    ("bank_and_branch", "check"),
    [
        ("1090101", "4"),  # Santander 1090 1014
        ("1140200", "4"),  # mBank 1140 2004
        ("1020102", "6"),  # PKO BP 1020 1026
        ("1240621", "8"),  # Pekao 1240 6218
        ("1050006", "0"),  # the sum 80 is divisible by 10: check digit 0, not 10
    ],
)
def test_settlement_number_check_digit(bank_and_branch, check):
    assert settlement(bank_and_branch)[-1] == check
    assert settlement_number_is_valid(bank_and_branch + check)
    for wrong in set("0123456789") - {check}:
        assert not settlement_number_is_valid(bank_and_branch + wrong)


@pytest.mark.parametrize("bank_and_branch", ["1090101", "1140200", "1020102", "1240621", "1050006"])
def test_real_shaped_account_numbers_pass(bank_and_branch):
    number = nrb(settlement(bank_and_branch))
    validate_nrb(number)
    validate_nrb("PL" + format_nrb(number))


def test_issue_example_36_1090_1015_is_refused():
    number = nrb("10901015")  # IBAN check digits right, settlement check digit wrong (4)
    assert format_nrb(number) == "36 1090 1015 0000 0712 1981 2874"
    with pytest.raises(ValidationError, match="numer rozliczeniowy banku") as exc:
        validate_nrb(format_nrb(number))
    assert exc.value.code == "nrb_settlement_number"


@pytest.mark.parametrize("bank_and_branch", ["1090101", "1140200", "1020102", "1050006"])
def test_every_wrong_settlement_check_digit_is_refused(bank_and_branch):
    good = settlement(bank_and_branch)
    for digit in "0123456789":
        if digit == good[-1]:
            continue
        with pytest.raises(ValidationError, match="numer rozliczeniowy"):
            validate_nrb(nrb(bank_and_branch + digit))


def test_iban_checksum_is_still_checked_first():
    number = nrb(settlement("1090101"))
    broken = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="błędna suma kontrolna"):
        validate_nrb(broken)


@pytest.mark.parametrize("value", ["00-950", "30-001", "99-999", "00-000"])
def test_postal_code_nn_nnn_passes(value):
    validate_postal_code(value)


@pytest.mark.parametrize(
    "value",
    [
        "00950",
        "AB-CDE",
        "00 950",
        "00–950",  # en dash
        "0-0950",
        "000-950",
        "00-9500",
        "00-95",
        "٠٠-٩٥٠",  # Arabic-Indic digits are digits to Python, not to the post office
        "",
    ],
)
def test_postal_code_other_shapes_are_refused_in_polish(value):
    with pytest.raises(ValidationError) as exc:
        validate_postal_code(value)
    assert "w formacie NN-NNN, np. 00-950" in exc.value.messages[0]
