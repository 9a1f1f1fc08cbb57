"""Shamir k-of-n secret sharing over GF(q), q the order of the P-256 group.

What is shared: a bid's 256-bit data key, drawn on the bidder's side as an element of this field
(keyholders.py, envelope version 2); or, for legacy version-1 rounds, a committee private scalar
in [1, q-1]. Every share value fits in 32 bytes. Coefficients come from ``secrets``. Any k shares
give the secret by Lagrange interpolation at 0; k-1 shares say nothing about it.

Shamir does not authenticate: a wrong share silently gives a wrong secret. The checks that catch
that: :func:`combine` interpolates from k shares and requires every extra share to lie on the
same polynomial; each share is checked against a commitment published with it (the envelope's,
or the legacy committee record's); and the result is checked against what it must open (the
ciphertext's key commitment, or the published committee public key).

A share's 32-byte ``committee_fingerprint`` names what it rebuilds: the bid's content address for
a data-key share, the committee key's fingerprint for a legacy share.

Python integers are not constant-time. That is acceptable here: shares are combined once per
opening, on the opening server, by the process that is about to hold the key anyway (and only
after the bidders' decryption window).
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.sealing.errors import SHARES_INSUFFICIENT, SHARES_INVALID, SealingError
from core.sealing.wrap import FINGERPRINT_SIZE, P256_ORDER

PRIME = P256_ORDER
MAX_SHARES = 255
VALUE_SIZE = 32
SHARE_VERSION = 1
SHARE_SIZE = 1 + 1 + 1 + FINGERPRINT_SIZE + VALUE_SIZE


@dataclass(frozen=True)
class Share:
    """One point (index, value) of the polynomial, with the k it belongs to and the committee key
    it rebuilds (so shares of two committees cannot be mixed unnoticed). ``value`` is kept out of
    ``repr`` so that a share never lands in a log or a traceback."""

    index: int
    value: int = field(repr=False)
    k: int
    committee_fingerprint: bytes = b""

    def to_bytes(self) -> bytes:
        """version | k | index | committee fingerprint (32, zero if none) | value (32)."""
        _check_share(self)
        fingerprint = self.committee_fingerprint or bytes(FINGERPRINT_SIZE)
        return (
            struct.pack(">BBB", SHARE_VERSION, self.k, self.index)
            + fingerprint
            + self.value.to_bytes(VALUE_SIZE, "big")
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        if len(data) != SHARE_SIZE or data[0] != SHARE_VERSION:
            raise SealingError(SHARES_INVALID, reason="malformed share")
        k, index = data[1], data[2]
        fingerprint = data[3 : 3 + FINGERPRINT_SIZE]
        value = int.from_bytes(data[3 + FINGERPRINT_SIZE :], "big")
        share = cls(index, value, k, b"" if fingerprint == bytes(FINGERPRINT_SIZE) else fingerprint)
        _check_share(share)
        return share


def split(secret: int, k: int, n: int, *, committee_fingerprint: bytes = b"") -> list[Share]:
    """n shares of ``secret`` (0 <= secret < PRIME), any k of which rebuild it."""
    if isinstance(k, bool) or isinstance(n, bool) or not 1 <= k <= n <= MAX_SHARES:
        raise ValueError(f"need 1 <= k <= n <= {MAX_SHARES}")
    if not 0 <= secret < PRIME:
        raise ValueError("secret is not an element of the field")
    # The leading coefficient is non-zero so that the polynomial really has degree k-1.
    coefficients = [secret] + [secrets.randbelow(PRIME) for _ in range(k - 2)]
    if k > 1:
        coefficients.append(secrets.randbelow(PRIME - 1) + 1)
    return [
        Share(x, _evaluate(coefficients, x), k, committee_fingerprint) for x in range(1, n + 1)
    ]


def combine(shares: Sequence[Share], k: int) -> int:
    """The secret behind ``shares``; k comes from the committee record, never from the shares.

    Refusals: a malformed share, a share for another k or committee, two shares with one index
    (SHARES_INVALID); fewer than k shares (SHARES_INSUFFICIENT); an extra share off the polynomial
    of the first k (SHARES_INVALID).
    """
    if isinstance(k, bool) or not 1 <= k <= MAX_SHARES:
        raise ValueError(f"need 1 <= k <= {MAX_SHARES}")
    for share in shares:
        _check_share(share)
        if share.k != k:
            raise SealingError(SHARES_INVALID, reason="share belongs to another threshold",
                               index=share.index, expected_k=k, found_k=share.k)
    if len({share.committee_fingerprint for share in shares}) > 1:
        raise SealingError(SHARES_INVALID, reason="shares of different committees")
    indexes = [share.index for share in shares]
    if len(set(indexes)) != len(indexes):
        raise SealingError(SHARES_INVALID, reason="duplicate share index")
    if len(shares) < k:
        raise SealingError(SHARES_INSUFFICIENT, needed=k, given=len(shares))
    ordered = sorted(shares, key=lambda share: share.index)
    basis = [(share.index, share.value) for share in ordered[:k]]
    secret = _interpolate(basis, 0)
    for extra in ordered[k:]:
        if _interpolate(basis, extra.index) != extra.value:
            raise SealingError(SHARES_INVALID, reason="share inconsistent with the others",
                               index=extra.index)
    return secret


def _check_share(share: object) -> None:
    if not isinstance(share, Share):
        raise SealingError(SHARES_INVALID, reason="not a share")
    ok = (
        all(not isinstance(v, bool) and isinstance(v, int)
            for v in (share.index, share.value, share.k))
        and 1 <= share.index <= MAX_SHARES
        and 1 <= share.k <= MAX_SHARES
        and 0 <= share.value < PRIME
        and isinstance(share.committee_fingerprint, bytes)
        and len(share.committee_fingerprint) in (0, FINGERPRINT_SIZE)
    )
    if not ok:
        raise SealingError(SHARES_INVALID, reason="malformed share")


def _evaluate(coefficients: list[int], x: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):
        result = (result * x + coefficient) % PRIME
    return result


def _interpolate(points: list[tuple[int, int]], x: int) -> int:
    """Lagrange interpolation through ``points`` evaluated at ``x``, in GF(PRIME)."""
    total = 0
    for i, (xi, yi) in enumerate(points):
        numerator, denominator = 1, 1
        for j, (xj, _) in enumerate(points):
            if i != j:
                numerator = numerator * (x - xj) % PRIME
                denominator = denominator * (xi - xj) % PRIME
        total = (total + yi * numerator * pow(denominator, -1, PRIME)) % PRIME
    return total
