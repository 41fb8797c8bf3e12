"""Unified social credit code (统一社会信用代码) validation, GB 32100-2015.

The code has 18 characters from a 31-character alphabet (digits and capital letters
without I, O, Z, S, V): registration authority (1), organisation category (1), administrative
division (6), organisation identifier (9), check character (1).

The check character is ``C18 = 31 - (sum(Ci * Wi) mod 31)`` over the first 17 characters,
with the weights ``Wi = 3**(i-1) mod 31`` and a result of 31 written as ``0``
(GB 32100-2015, §4.3 and Annex B).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...


class CreditCodeError(ValueError):
    """The code is not a valid unified social credit code; the message says why."""


def check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    if len(first17) != 17:
        raise CreditCodeError(f"expected 17 characters before the check character, got {len(first17)}")
    total = 0
    for position, char in enumerate(first17, start=1):
        value = ALPHABET.find(char)
        if value < 0:
            raise CreditCodeError(f"character {char!r} at position {position} is not allowed")
        total += value * WEIGHTS[position - 1]
    return ALPHABET[(31 - total % 31) % 31]



def validate_credit_code(code: str) -> str:
    """Return the code in canonical (upper-case) form or raise :class:`CreditCodeError`."""
    code = code.strip().upper()
    if len(code) != 18:
        raise CreditCodeError(f"must have 18 characters, got {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in ALPHABET:
            raise CreditCodeError(
                f"character {char!r} at position {position} is not allowed "
                "(digits and capital letters except I, O, Z, S, V)"
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(f"check character is {code[17]!r}, expected {expected!r}")
    return code
