"""Phone numbers (R-52, R-73): checked against the numbering plan of the state the case is in and
stored in E.164 (`+66812345678`), so the SMS gateway gets one form and a number typed the local
way (`081 234 5678`) is read as that state's. Messages never repeat the number: it is personal data.
"""
from __future__ import annotations


def e164(text: str, region: str | None) -> str:
    """The number in E.164, or ValueError saying what is wrong with it. `region` (ISO 3166 alpha-2,
    the case's state) is the country a number without a `+` prefix belongs to."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if not text.strip().startswith("+") and not region:
            raise ValueError("give the number with its country code, e.g. +66 81 234 5678") from None
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        where = phonenumbers.region_code_for_number(number) or region or "its country"
        raise ValueError(f"not a valid phone number in {where} (check the digits and the country code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
