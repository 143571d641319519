"""How many SMS parts a text really costs, and the Polish letters' transliteration.

A text that fits the GSM 03.38 alphabet travels in 7-bit GSM: 160 characters in one part, 153
a part when concatenated (the extension characters ``^{}\\[~]|€`` take two). One character
outside it (ą, ę, ł, ó, ś, ź, ż, ć, ń, emoji) switches the whole message to UCS-2: 70 in one
part, 67 a part when concatenated (UTF-16 code units, so an emoji takes two).
"""

import math
from dataclasses import dataclass

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"
_GSM_BASIC = frozenset(GSM_BASIC)
_GSM_EXTENSION = frozenset(GSM_EXTENSION)

GSM_SINGLE, GSM_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

_POLISH = str.maketrans(
    {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "Ą": "A",
        "Ć": "C",
        "Ę": "E",
        "Ł": "L",
        "Ń": "N",
        "Ó": "O",
        "Ś": "S",
        "Ź": "Z",
        "Ż": "Z",
        "„": '"',
        "”": '"',
        "“": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
    }
)


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM" or "UCS-2"
    units: int  # septets (GSM) or UTF-16 code units (UCS-2)
    parts: int
    per_part: int  # capacity of one part at this size


def is_gsm(text: str) -> bool:
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text)


def sms_size(text: str) -> SmsSize:
    if is_gsm(text):
        units = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)
        single, multi, encoding = GSM_SINGLE, GSM_MULTI, "GSM"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = UCS2_SINGLE, UCS2_MULTI, "UCS-2"
    if units <= single:
        return SmsSize(encoding, units, 1 if units else 0, single)
    return SmsSize(encoding, units, math.ceil(units / multi), multi)


def sms_parts(text: str) -> int:
    return sms_size(text).parts


def sms_truncate(text: str, max_parts: int) -> str:
    """The longest prefix of ``text`` that goes out in at most ``max_parts`` parts."""
    if sms_parts(text) <= max_parts:
        return text
    low, high = 0, len(text)
    while low < high:  # binary search: parts only grow with the prefix length
        middle = (low + high + 1) // 2
        if sms_parts(text[:middle]) <= max_parts:
            low = middle
        else:
            high = middle - 1
    return text[:low]


def transliterate_polish(text: str) -> str:
    """Polish letters and typographic signs as plain GSM letters (ą → a, „ → ")."""
    return text.translate(_POLISH)
