"""SMS segments (3GPP TS 23.038 / 23.040): how a text is cut into the parts a phone receives.

A text written only in the GSM 7-bit alphabet travels as 160 characters in one message, or as
parts of 153 (a 7-septet header joins the parts); a character from the extension table (€, [ ],
{ }, ~, ^, |, \\) costs two septets. Any other character (Thai, Khmer, Lao, Burmese, Vietnamese
tone marks, a curly quote) makes the whole text UCS-2: 70 UTF-16 units in one message, 67 a part.
Every part costs money and may arrive out of order or not at all, so what the reader must see
first (an urgent alert's reply code and its one essential sentence) has to sit in part one.
"""
from __future__ import annotations

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


def encoding(text: str) -> str:
    """`gsm7` when every character is in the GSM alphabet (basic or extension), else `ucs2`."""
    return "gsm7" if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text) else "ucs2"


def _units(ch: str, enc: str) -> int:
    if enc == "gsm7":
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1  # a character outside the BMP is a UTF-16 surrogate pair


def length(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2)."""
    enc = encoding(text)
    return sum(_units(ch, enc) for ch in text)


def split(text: str) -> list[str]:
    """The parts as a phone receives them. An escape pair or a surrogate pair is never cut."""
    enc = encoding(text)
    if length(text) <= SINGLE[enc]:
        return [text] if text else []
    parts, current, used = [], [], 0
    for ch in text:
        u = _units(ch, enc)
        if used + u > PART[enc]:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += u
    if current:
        parts.append("".join(current))
    return parts


def segments(text: str) -> int:
    return len(split(text))
