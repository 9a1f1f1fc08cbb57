"""ISO 7064 pure-system check characters used by Chinese national identifiers.

Both systems here weight the k-th character counted from the right of the payload (k = 1, 2, …)
by 2^k modulo a prime, and choose the check c so that the whole string, with c weighted 2^0 = 1,
sums to 1 modulo that prime. Because the modulus is prime and larger than every character value,
every single substitution and every transposition of two adjacent distinct characters changes the
sum, which is why these codes catch typing mistakes.

Weights are computed with ``pow(2, k, m)``. The Fujian platform computes ``Math.Pow(2, i) % 37`` in
floating point, which loses precision from i = 31 on, so its MOD 37-2 characters for payloads of 31
or more characters can differ from ours; ours follows the standard.
"""

from __future__ import annotations

from core.codes.errors import ID_NUMBER_INVALID_FORMAT, UNIFIED_DEAL_CODE_INVALID, CodeError, shown

MOD11_2_CHECK_CHARS = "10X98765432"
"""GB 11643 table: index = weighted sum mod 11, entry = check character ((12 - s) mod 11)."""

MOD37_2_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
"""ISO 7064 MOD 37-2 alphabet; the value of a character is its index (so '*' = 36)."""

_DIGITS = frozenset("0123456789")
_MOD37_VALUES = {ch: i for i, ch in enumerate(MOD37_2_ALPHABET)}


def mod11_2_check(digits17: str) -> str:
    """The GB 11643-1999 check character of the first 17 digits of a citizen ID number.

    Only its use in GB 11643 is supported, so anything but exactly 17 ASCII digits is refused
    with ID_NUMBER_INVALID_FORMAT rather than silently checked at another length.
    """
    if len(digits17) != 17 or not _DIGITS.issuperset(digits17):
        raise CodeError(
            ID_NUMBER_INVALID_FORMAT,
            f"公民身份号码本体码 {shown(digits17)} 须为 17 位数字",
            f"ID number body {shown(digits17)} must be exactly 17 digits",
            value=digits17,
        )
    total = sum(int(ch) * pow(2, k, 11) for k, ch in enumerate(reversed(digits17), start=1))
    return MOD11_2_CHECK_CHARS[total % 11]


def mod37_2_check(payload: str) -> str:
    """The ISO 7064 MOD 37-2 check character of ``payload`` (alphabet 0-9, A-Z, '*').

    Lower-case letters are outside the alphabet and are refused: callers normalise first, so that
    the check is computed over exactly the characters that are stored.
    """
    if payload == "":
        raise CodeError(
            UNIFIED_DEAL_CODE_INVALID,
            "MOD 37-2 校验的字符串不能为空",
            "a MOD 37-2 payload must not be empty",
            value=payload,
        )
    total = 0
    for k, ch in enumerate(reversed(payload), start=1):
        value = _MOD37_VALUES.get(ch)
        if value is None:
            raise CodeError(
                UNIFIED_DEAL_CODE_INVALID,
                f"{shown(payload)} 含有 MOD 37-2 字符集（0-9、A-Z、*）以外的字符 {ch!r}",
                f"{shown(payload)} contains {ch!r}, outside the MOD 37-2 alphabet (0-9, A-Z, *)",
                value=payload,
            )
        total += value * pow(2, k, 37)
    return MOD37_2_ALPHABET[(38 - total % 37) % 37]
