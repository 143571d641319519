import datetime
from decimal import Decimal

import pytest
import segno

from finance.qr import (
    AmountTooLarge,
    payment_code,
    payment_payload,
    recipient_name,
    transfer_title,
)

EXAMPLE = {
    "nip": "5214349636",
    "account": "61109010140000071219812874",
    "amount": Decimal("123.45"),
    "name": "WM Lipowa 5",
    "title": "Lokal 12 zaliczka 05/2025",
}


def test_payload_matches_the_standard_example_verbatim():
    expected = (
        "5214349636|PL|61109010140000071219812874|012345|WM Lipowa 5|Lokal 12 zaliczka 05/2025|||"  # noqa: E501 (the issue's example, verbatim)
    )
    assert payment_payload(**EXAMPLE) == expected


def test_formatted_account_and_nip_are_compacted():
    payload = payment_payload(
        **{**EXAMPLE, "nip": "521-434-96-36", "account": "PL61 1090 1014 0000 0712 1981 2874"}
    )
    assert payload.startswith("5214349636|PL|61109010140000071219812874|")


def test_pipe_in_user_text_never_reaches_payload():
    payload = payment_payload(**{**EXAMPLE, "name": "WM|Lipowa", "title": "Lokal|12"})
    assert payload.count("|") == 8
    assert payload.split("|")[4:6] == ["WM Lipowa", "Lokal 12"]


def test_name_and_title_are_cut_to_their_lengths():
    payload = payment_payload(**{**EXAMPLE, "name": "N" * 40, "title": "T" * 40})
    fields = payload.split("|")
    assert len(fields) == 9
    assert len(fields[4]) == 20 and len(fields[5]) == 32


def test_amount_is_grosze_zero_padded():
    assert payment_payload(**{**EXAMPLE, "amount": Decimal("5")}).split("|")[3] == "000500"
    assert payment_payload(**{**EXAMPLE, "amount": Decimal("9999.99")}).split("|")[3] == "999999"


def test_ten_thousand_does_not_fit():
    with pytest.raises(AmountTooLarge):
        payment_payload(**{**EXAMPLE, "amount": Decimal("10000.00")})
    code = payment_code(**{**EXAMPLE, "amount": Decimal("10000.00")})
    assert code.svg_data_uri == ""
    assert "10 000,00 zł" in str(code.unavailable_reason)


def test_code_is_an_inline_svg_with_error_correction_l():
    code = payment_code(**EXAMPLE)
    assert code.svg_data_uri.startswith("data:image/svg+xml")
    qr = segno.make(code.payload, error="l", encoding="utf-8", boost_error=False, micro=False)
    assert qr.error == "L"


def test_recipient_name_abbreviates_community_kind():
    assert recipient_name("Wspólnota Mieszkaniowa Lipowa 5") == "WM Lipowa 5"
    assert recipient_name("Spółdzielnia Mieszkaniowa Słoneczna") == "SM Słoneczna"
    assert len(recipient_name("Wspólnota Mieszkaniowa przy ulicy Bardzo Długiej 123")) == 20


def test_invalid_account_shows_no_code():
    code = payment_code(**{**EXAMPLE, "account": "80109010140000071219812875"})
    assert code.svg_data_uri == ""
    assert "nieprawidłowy" in str(code.unavailable_reason)


@pytest.mark.parametrize(
    ("number", "fund", "expected"),
    [
        ("12", "", "Lokal 12 opłaty 12/2025-02/2026"),
        ("12", "repair", "Lokal 12 f.remont. 12/25-02/26"),
        ("12A/3", "", "Lokal 12A/3 opłaty 12/25-02/26"),
        ("U-15", "repair", "Lokal U-15 f.remont. 12/25-02/26"),
        ("U-15 garaż", "repair", "Lok. U-15 garaż f.remont."),
    ],
)
def test_title_never_cuts_a_month_short(number, fund, expected):
    # Over 32 characters the title used to end "12/2025-02/20": another year.
    title = transfer_title(number, fund, (datetime.date(2025, 12, 1), datetime.date(2026, 2, 1)))
    assert title == expected
    assert len(title) <= 32
