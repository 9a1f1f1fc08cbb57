"""The one error the sealing library raises when input is refused, with a stable code.

A refused bid, key or share is caused by a user, a peer or an attacker, never by a bug of ours, so
``SealingError`` is a ``DomainError``: the transports turn it into problem+json or a SOAP Fault with
the same code, and the opening use case records the code in the audit log. The code matters
legally: 《电子招标投标办法》 Art. 31 treats a bid the bidder failed to decrypt differently from
one that failed for another reason, so "the ciphertext was altered" (BID_TAMPERED) must never be
reported as "the bidder's key is wrong" (BID_KEY_MISMATCH) or the other way round.

The codes are a public contract: never rename one, add a new one instead.
"""

from __future__ import annotations

from typing import Any

from core.errors import DomainError, ErrorKind

# GCM tag failure, truncation, reordering, a spliced chunk, a ciphertext whose hash is not the
# content address it was stored and receipted under.
BID_TAMPERED = "BID_TAMPERED"
# The ciphertext header or a key wrap declares another section, bidder or purpose (AAD binding).
BID_WRONG_SECTION = "BID_WRONG_SECTION"
# The data key offered does not match the key the bidder committed to in the (intact) ciphertext.
BID_KEY_MISMATCH = "BID_KEY_MISMATCH"
# Fewer than k distinct shares.
SHARES_INSUFFICIENT = "SHARES_INSUFFICIENT"
# Duplicate, malformed, foreign or corrupted shares; or the rebuilt key is not the published one.
SHARES_INVALID = "SHARES_INVALID"
# A wrapped key that does not open with this private key (wrong recipient, altered blob).
KEY_UNWRAP_FAILED = "KEY_UNWRAP_FAILED"
# A public or private key that is not on the curve this format uses (P-256).
KEY_UNSUPPORTED = "KEY_UNSUPPORTED"
# An opening committee that cannot be formed: bad k, too few or duplicate keyholders.
COMMITTEE_INVALID = "COMMITTEE_INVALID"
# A submission receipt whose signature or content does not verify.
RECEIPT_INVALID = "RECEIPT_INVALID"
# A stored envelope manifest (or committee record) that does not parse or breaks the format.
ENVELOPE_MALFORMED = "ENVELOPE_MALFORMED"
# A content address that is not a lowercase SHA-256 hex digest (and so could point anywhere).
CONTENT_ADDRESS_INVALID = "CONTENT_ADDRESS_INVALID"

_MESSAGES: dict[str, tuple[str, str]] = {
    BID_TAMPERED: (
        "投标文件密文已被篡改或不完整",
        "the sealed bid ciphertext was altered or is incomplete",
    ),
    BID_WRONG_SECTION: (
        "密文或密钥封装属于其他标段或投标人",
        "the ciphertext or wrapped key belongs to another section or bidder",
    ),
    BID_KEY_MISMATCH: (
        "所提供的解密密钥与投标文件不符",
        "the key offered does not open this sealed bid",
    ),
    SHARES_INSUFFICIENT: (
        "开标密钥分片数量不足",
        "not enough key shares to rebuild the opening key",
    ),
    SHARES_INVALID: ("开标密钥分片无效", "the opening key shares are invalid"),
    KEY_UNWRAP_FAILED: ("密钥解封失败", "the wrapped key could not be unwrapped with this key"),
    KEY_UNSUPPORTED: ("不支持的密钥类型（须为 P-256）", "unsupported key type (P-256 required)"),
    COMMITTEE_INVALID: ("开标委员会设置无效", "the opening committee settings are invalid"),
    RECEIPT_INVALID: ("投标回执验证失败", "the submission receipt does not verify"),
    ENVELOPE_MALFORMED: ("密封投标信封格式错误", "the sealed-bid envelope is malformed"),
    CONTENT_ADDRESS_INVALID: ("内容地址无效", "the content address is invalid"),
}

ERROR_CODES: frozenset[str] = frozenset(_MESSAGES)


class SealingError(DomainError):
    """A refused sealed bid, key, share, receipt or envelope.

    ``details`` carries a short machine-readable ``reason`` (and, where useful, what was expected
    and found) so that the audit log says *why* without parsing the message. Details never carry
    key material.
    """

    def __init__(self, code: str, *, reason: str | None = None, **details: Any) -> None:
        if code not in _MESSAGES:
            # A typo here would silently create an error code no client knows about.
            raise AssertionError(f"unregistered sealing error {code!r}")
        zh, en = _MESSAGES[code]
        if reason is not None:
            details["reason"] = reason
            en = f"{en} ({reason})"
        super().__init__(code, zh, en, ErrorKind.INVALID, **details)

    def __str__(self) -> str:
        return self.message_en
