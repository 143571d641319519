import pytest

from lib.sms import sms_size, sms_truncate, transliterate_polish


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("", "GSM", 0),
        ("a" * 160, "GSM", 1),
        ("a" * 161, "GSM", 2),
        ("a" * 306, "GSM", 2),
        ("a" * 307, "GSM", 3),
        ("a" * 459, "GSM", 3),
        ("€" * 80, "GSM", 1),  # extension characters take two septets
        ("€" * 81, "GSM", 2),
        ("ą" * 70, "UCS-2", 1),
        ("ą" * 71, "UCS-2", 2),
        ("ą" * 134, "UCS-2", 2),
        ("ą" * 135, "UCS-2", 3),
        ("ą" * 201, "UCS-2", 3),
        ("ą" * 202, "UCS-2", 4),
        ("ł" + "a" * 458, "UCS-2", 7),  # one Polish letter makes 459 characters 7 parts
    ],
)
def test_sms_size_counts_parts_per_encoding(text, encoding, parts):
    size = sms_size(text)
    assert (size.encoding, size.parts) == (encoding, parts)


def test_truncate_keeps_what_three_parts_really_hold():
    assert len(sms_truncate("ż" * 459, 3)) == 201
    assert len(sms_truncate("a" * 500, 3)) == 459


def test_transliteration_gives_plain_gsm():
    text = transliterate_polish("Zażółć gęślą jaźń – „woda” ŁÓDŹ…")
    assert text == 'Zazolc gesla jazn - "woda" LODZ...'
    assert sms_size(text).encoding == "GSM"
