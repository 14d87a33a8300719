"""Money (R-91): `Decimal` amounts in one currency, with that currency's minor units, never a float.

A float cannot hold 0.1 exactly, so 0.1 + 0.2 arrives as 0.30000000000000004: an amount that
passed through one is already wrong. Amounts are therefore parsed only from text, int or Decimal,
and a float is refused with a message saying how to give it instead.

The minor units come from the jurisdiction profile (`currency.minor_units`), not from a table in
this module: the profile is the one place a reviewer checks (IDR has 2 there, as in ISO 4217, VND 0).
An amount with more decimal places than the currency has is refused rather than rounded: in
Indonesia "1.000.000" means one million, so a stray separator must not silently become 1 rupiah.
Rounding happens only in computations (a prorated month of wages), half up, and the working says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact

from witness.errors import InputProblems

# Whole-unit digits an amount may have: 10^15 minor units times 10^3 still fits a 64-bit integer column.
MAX_DIGITS = 15
# Digits 0-9 and a '.' only. Decimal() alone would also take "1_000", "1e3", fullwidth "１０００" and
# Arabic-Indic "١٠٠٠": each is a way for a mistyped or pasted amount to pass unread.
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


_QUANTA = {n: Decimal(1).scaleb(-n) for n in range(4)}  # ISO 4217 minor units run from 0 to 3
# Exact arithmetic for from_minor: 40 digits hold any 64-bit count of minor units; Inexact is raised,
# never rounded, should one ever not fit.
_EXACT = Context(prec=40, traps=[Inexact])
_new = object.__new__


@dataclass(frozen=True)
class Currency:
    code: str
    minor_units: int

    @classmethod
    def of(cls, profile_currency) -> "Currency":
        """From a jurisdiction profile's `currency` (code, minor_units)."""
        return cls(profile_currency.code, profile_currency.minor_units)

    @property
    def quantum(self) -> Decimal:
        return _QUANTA[self.minor_units]


def parse_amount(value, currency: Currency, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An exact, non-negative amount in `currency`, from str, int or Decimal. Raises InputProblems."""
    if isinstance(value, float):
        raise InputProblems([(field, f"{value!r} is a float, and money never passes through a float (R-91): give it "
                                     "as text, e.g. '1250000.50', or as an integer")])
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise InputProblems([(field, f"give the amount as text or an integer, not {type(value).__name__}")])
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN.fullmatch(text):
            raise InputProblems([(field, "write the digits 0-9 with '.' as the decimal point and no thousands "
                                         f"separators, e.g. '1250000' ({currency.code})")])
        amount = Decimal(text)
    else:
        amount = Decimal(value)
    if not amount.is_finite():
        raise InputProblems([(field, "is not a finite amount")])
    if amount < 0:
        raise InputProblems([(field, "cannot be negative")])
    if amount == 0 and not allow_zero:
        raise InputProblems([(field, "must be more than zero")])
    if amount.adjusted() >= MAX_DIGITS:
        raise InputProblems([(field, f"is larger than any claim this system keeps (10^{MAX_DIGITS}); check the digits")])
    # Written places count, even zeros: "1.000" is one thousand to an Indonesian eye, not 1.00.
    if -amount.as_tuple().exponent > currency.minor_units:
        places = "no decimal places" if currency.minor_units == 0 else f"{currency.minor_units} decimal places"
        raise InputProblems([(field, f"{currency.code} has {places} in this jurisdiction's profile; "
                                     f"{value} has more (a thousands separator written as '.'?)")])
    return amount.quantize(currency.quantum)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, got {type(self.amount).__name__}")
        exact = self.amount.quantize(self.currency.quantum)
        if exact != self.amount:
            raise ValueError(f"{self.amount} has more decimal places than {self.currency.code} allows")
        object.__setattr__(self, "amount", exact)

    @classmethod
    def parse(cls, value, currency: Currency, field: str = "amount", allow_zero: bool = False) -> "Money":
        return cls(parse_amount(value, currency, field, allow_zero), currency)

    @classmethod
    def zero(cls, currency: Currency) -> "Money":
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, units: int, currency: Currency) -> "Money":
        """From the integer count of minor units the store keeps (see store/claim_tables.py).

        An integer scaled by 10^-minor_units is exact and already has the currency's places, so the
        check in __post_init__ is skipped: reports build tens of thousands of these."""
        if units.__class__ is not int:
            if isinstance(units, (bool, float)):
                raise TypeError("minor units are an integer count")
            units = int(units)
        # The portfolio builds ~100,000 of these: the frozen instance is filled through its __dict__
        # (what object.__setattr__ did, a third of the cost), and the amount is the quantum times
        # the count in a context that refuses to round, whatever the thread's decimal context says.
        money = _new(cls)
        fields = money.__dict__
        fields["amount"] = _EXACT.multiply(_QUANTA[currency.minor_units], units)
        fields["currency"] = currency
        return money

    @property
    def minor(self) -> int:
        return int(self.amount.scaleb(self.currency.minor_units))

    def _same(self, other: "Money") -> None:
        if not isinstance(other, Money):
            raise TypeError("Money can only be combined with Money")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency.code} with {other.currency.code}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount >= other.amount

    def times(self, numerator: int | Decimal, denominator: int = 1) -> "Money":
        """self × numerator / denominator, rounded half up to the minor unit (a computation, not input)."""
        for n in (numerator, denominator):
            if isinstance(n, (float, bool)) or not isinstance(n, (int, Decimal)):
                raise TypeError("multiply money by an int or a Decimal only")
        exact = self.amount * Decimal(numerator) / Decimal(denominator)
        return Money(exact.quantize(self.currency.quantum, rounding=ROUND_HALF_UP), self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def plain(self) -> str:
        """The amount as text for JSON and CSV: '1250000.50' (no separators, exact)."""
        return format(self.amount, "f")

    def __str__(self) -> str:
        return f"{self.currency.code} {self.amount:,.{self.currency.minor_units}f}"


def total(amounts, currency: Currency) -> Money:
    out = Money.zero(currency)
    for m in amounts:
        out = out + m
    return out
