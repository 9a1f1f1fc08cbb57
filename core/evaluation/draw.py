"""The random draw (随机抽取) that settles a 并列 when the documents give no other way
(财政部令第87号 第六十八条), as a pure function anyone can rerun from the record.

The service draws the seed from :mod:`secrets` (32 random bytes, hex) and keeps a
:class:`DrawRecord`: the tied bids, their SHA-256 digest, the seed's SHA-256 (the commitment),
the seed itself and the order. :func:`draw_order` is the whole method, so a reader with the
record and any SHA-256 tool can check it:

1. the bids, ascending, joined by commas (``"17,23,42"``), hash to ``bids_sha256``;
2. the seed's UTF-8 bytes hash to ``seed_sha256``;
3. each bid's key is ``sha256(seed + ":" + bid_id)`` in hex; the order is the bids by key,
   ascending (a bid id breaks the — practically impossible — equal key).

The order is a uniformly random permutation as far as SHA-256 behaves as a random function, and it
does not depend on the order the bids were given in. The commitment and the seed are recorded
together, so the commitment alone proves nothing about *when* the seed was chosen; what keeps the
seed from being chosen after the fact is that it comes from ``secrets`` inside the settling
transaction, and the audit chain (docs/audit.md) that seals the record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALGORITHM = "sha256-sort-v1"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unique(bid_ids: Iterable[int]) -> list[int]:
    ids = list(bid_ids)
    if any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        raise TypeError("bid ids are integers")
    if len(set(ids)) != len(ids):
        raise ValueError("a bid is drawn once")
    if len(ids) < 2:
        raise ValueError("a draw needs at least two tied bids")
    return sorted(ids)


def canonical_bids(bid_ids: Iterable[int]) -> str:
    """The tied bids as the record hashes them: ascending, comma-separated."""
    return ",".join(str(i) for i in _unique(bid_ids))


def bids_digest(bid_ids: Iterable[int]) -> str:
    return _sha256(canonical_bids(bid_ids))


def seed_commitment(seed: str) -> str:
    return _sha256(seed)


def draw_order(bid_ids: Sequence[int], seed: str) -> tuple[int, ...]:
    """The tied bids in the order the ``seed`` draws them (see the module for the method)."""
    if not seed:
        raise ValueError("a draw needs a seed")
    return tuple(sorted(_unique(bid_ids), key=lambda i: (_sha256(f"{seed}:{i}"), i)))


@dataclass(frozen=True)
class DrawRecord:
    bids: tuple[int, ...]  # ascending
    bids_sha256: str
    seed_sha256: str
    seed: str
    order: tuple[int, ...]
    algorithm: str = ALGORITHM

    def as_json(self) -> dict[str, Any]:
        return {"algorithm": self.algorithm, "bids": list(self.bids),
                "bids_sha256": self.bids_sha256, "seed_sha256": self.seed_sha256,
                "seed": self.seed, "order": list(self.order)}


def draw(bid_ids: Sequence[int], seed: str) -> DrawRecord:
    """Draw the order of ``bid_ids`` with ``seed`` and keep what reproduces it."""
    bids = tuple(_unique(bid_ids))
    return DrawRecord(bids, bids_digest(bids), seed_commitment(seed), seed,
                      draw_order(bids, seed))


def reproduces(record: Mapping[str, Any]) -> bool:
    """Whether a stored record (:meth:`DrawRecord.as_json`) holds together: the digest is the
    bids', the commitment the seed's, and the seed draws the recorded order."""
    try:
        again = draw([int(i) for i in record["bids"]], str(record["seed"]))
        order = [int(i) for i in record["order"]]
    except (KeyError, TypeError, ValueError):
        return False
    return (record.get("algorithm") == ALGORITHM
            and list(record["bids"]) == list(again.bids)
            and record.get("bids_sha256") == again.bids_sha256
            and record.get("seed_sha256") == again.seed_sha256
            and order == list(again.order))
