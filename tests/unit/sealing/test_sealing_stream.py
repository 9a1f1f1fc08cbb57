"""Streamed AES-256-GCM: round trips, and every way of cutting, moving or relabelling chunks."""

from __future__ import annotations

import hashlib
import io
import os
import struct
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.sealing import stream
from core.sealing.errors import SealingError
from core.sealing.stream import (
    DEFAULT_CHUNK_SIZE,
    MAGIC,
    TAG_SIZE,
    StreamHeader,
    decrypt_stream,
    encrypt_stream,
    key_commitment,
    read_header,
)
from tests.unit.sealing.conftest import BIDDER, OTHER_BIDDER, OTHER_SECTION, SECTION

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

CHUNK = 64
HEADER = StreamHeader(SECTION, BIDDER, CHUNK)
KEY = bytes(range(32))


def seal(data: bytes, header: StreamHeader = HEADER, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    digest = encrypt_stream(io.BytesIO(data), out, key, header)
    sealed = out.getvalue()
    assert digest.size == len(sealed)
    assert digest.plaintext_size == len(data)
    return sealed


def unseal(sealed: bytes, header: StreamHeader = HEADER, key: bytes = KEY, **kw: object) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(sealed), out, key, header, **kw)  # type: ignore[arg-type]
    return out.getvalue()


def header_len(sealed: bytes) -> int:
    src = io.BytesIO(sealed)
    read_header(src)
    return src.tell()


def records(sealed: bytes, chunk: int = CHUNK) -> tuple[bytes, list[bytes]]:
    h = header_len(sealed)
    body = sealed[h:]
    size = chunk + TAG_SIZE
    return sealed[:h], [body[i : i + size] for i in range(0, len(body), size)]


def code_of(sealed: bytes, header: StreamHeader = HEADER, key: bytes = KEY, **kw: object) -> str:
    with pytest.raises(SealingError) as info:
        unseal(sealed, header, key, **kw)
    return info.value.code


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 7])
def test_round_trip_around_chunk_boundaries(size: int) -> None:
    data = os.urandom(size)
    sealed = seal(data)
    assert unseal(sealed) == data
    _, recs = records(sealed)
    assert len(recs) == max(1, -(-size // CHUNK))  # an empty bid is one empty final chunk


@pytest.mark.parametrize("size", [0, 1, DEFAULT_CHUNK_SIZE - 1, DEFAULT_CHUNK_SIZE,
                                  DEFAULT_CHUNK_SIZE + 1, 3 * DEFAULT_CHUNK_SIZE + 12345])
def test_round_trip_with_the_default_one_mib_chunk(size: int) -> None:
    header = StreamHeader(SECTION, BIDDER)
    data = os.urandom(size)
    sealed = seal(data, header)
    assert unseal(sealed, header) == data


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=700), chunk=st.integers(16, 200))
def test_round_trip_any_size_any_chunk(data: bytes, chunk: int) -> None:
    header = StreamHeader(SECTION, BIDDER, chunk)
    assert unseal(seal(data, header), header) == data


class Trickle:
    """A source without readinto that returns at most 7 bytes per read (like a slow socket)."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def read(self, size: int = -1, /) -> bytes:
        return self._src.read(min(size, 7) if size >= 0 else 7)


def test_short_reads_from_the_source_do_not_change_the_result() -> None:
    data = os.urandom(5 * CHUNK + 3)
    out = io.BytesIO()
    encrypt_stream(Trickle(data), out, KEY, HEADER)
    plain = io.BytesIO()
    decrypt_stream(Trickle(out.getvalue()), plain, KEY, HEADER)
    assert plain.getvalue() == data


def test_the_format_is_as_documented() -> None:
    """A client in another language can be written from the module docstring: check it here."""
    data = os.urandom(2 * CHUNK + 5)
    sealed = seal(data)
    head, recs = records(sealed)
    assert head.startswith(MAGIC + b"\x01")
    section, bidder = SECTION.encode(), BIDDER.encode()
    expected_head_start = (MAGIC + struct.pack(">BH", 1, len(section)) + section
                           + struct.pack(">H", len(bidder)) + bidder + struct.pack(">I", CHUNK))
    assert head[: len(expected_head_start)] == expected_head_start
    prefix, commitment = head[-40:-32], head[-32:]
    assert commitment == key_commitment(KEY)
    aead = AESGCM(KEY)
    plain = b""
    for i, rec in enumerate(recs):
        final = i == len(recs) - 1
        nonce = prefix + struct.pack(">I", i | (1 << 31 if final else 0))
        plain += aead.decrypt(nonce, rec, head + struct.pack(">IB", i, int(final)))
    assert plain == data


def test_two_encryptions_of_one_bid_under_one_key_differ() -> None:
    data = b"same bid" * 20
    first, second = seal(data), seal(data)
    assert first != second  # fresh nonce prefix each time: never a nonce reused under one key
    assert read_header(io.BytesIO(first))[1] != read_header(io.BytesIO(second))[1]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_flipping_any_bit_of_any_chunk_is_tampering(data: st.DataObject) -> None:
    sealed = seal(b"bid " * 50)
    h = header_len(sealed)
    pos = data.draw(st.integers(h, len(sealed) - 1))
    bit = data.draw(st.integers(0, 7))
    tampered = bytearray(sealed)
    tampered[pos] ^= 1 << bit
    assert code_of(bytes(tampered)) == "BID_TAMPERED"


def test_flipping_header_bytes_is_refused_with_the_matching_code() -> None:
    """Header bytes: a changed label is a filing error (BID_WRONG_SECTION); a changed commitment,
    without the content address to check, reads as the wrong key (BID_KEY_MISMATCH); anything
    else (magic, version, lengths, chunk size, nonce prefix) is BID_TAMPERED."""
    sealed = seal(b"bid " * 50)
    h = header_len(sealed)
    labels = range(len(MAGIC) + 3, h - 4 - 8 - 32)
    for pos in range(h):
        tampered = bytearray(sealed)
        tampered[pos] ^= 0x01
        code = code_of(bytes(tampered))
        if pos >= h - 32:
            assert code == "BID_KEY_MISMATCH", pos
        elif pos in labels:
            assert code in {"BID_WRONG_SECTION", "BID_TAMPERED"}, pos
        else:
            assert code == "BID_TAMPERED", pos


def test_with_the_content_address_a_changed_commitment_is_tampering_not_a_wrong_key() -> None:
    sealed = seal(b"bid " * 50)
    address = hashlib.sha256(sealed).hexdigest()
    tampered = bytearray(sealed)
    tampered[header_len(sealed) - 1] ^= 0x80
    assert code_of(bytes(tampered), expected_sha256=address) == "BID_TAMPERED"
    assert code_of(sealed, key=bytes(32), expected_sha256=address) == "BID_KEY_MISMATCH"


def test_the_content_address_is_checked_when_given() -> None:
    sealed = seal(b"x" * 300)
    good = hashlib.sha256(sealed).hexdigest()
    assert unseal(sealed, expected_sha256=good, expected_size=len(sealed)) == b"x" * 300
    assert code_of(sealed, expected_sha256="0" * 64) == "BID_TAMPERED"
    assert code_of(sealed, expected_size=len(sealed) + 1) == "BID_TAMPERED"


def test_truncating_the_last_chunk_is_tampering() -> None:
    sealed = seal(os.urandom(3 * CHUNK + 10))
    for cut in (1, 10, TAG_SIZE, TAG_SIZE + 1):
        assert code_of(sealed[:-cut]) == "BID_TAMPERED"


def test_dropping_the_final_chunk_at_a_chunk_boundary_is_tampering() -> None:
    head, recs = records(seal(os.urandom(3 * CHUNK)))
    assert code_of(head + b"".join(recs[:-1])) == "BID_TAMPERED"


def test_cutting_down_to_the_header_is_tampering_even_for_an_empty_bid() -> None:
    sealed = seal(b"")
    assert code_of(sealed[: header_len(sealed)]) == "BID_TAMPERED"
    assert code_of(sealed[:5]) == "BID_TAMPERED"
    assert code_of(b"") == "BID_TAMPERED"


def test_dropping_a_middle_chunk_is_tampering() -> None:
    head, recs = records(seal(os.urandom(4 * CHUNK + 3)))
    assert code_of(head + b"".join(recs[:1] + recs[2:])) == "BID_TAMPERED"


def test_swapping_two_chunks_is_tampering() -> None:
    head, recs = records(seal(os.urandom(4 * CHUNK)))
    recs[1], recs[2] = recs[2], recs[1]
    assert code_of(head + b"".join(recs)) == "BID_TAMPERED"


def test_appending_a_chunk_or_any_bytes_is_tampering() -> None:
    sealed = seal(os.urandom(3 * CHUNK + 5))
    _, recs = records(sealed)
    assert code_of(sealed + recs[0]) == "BID_TAMPERED"
    assert code_of(sealed + recs[-1]) == "BID_TAMPERED"
    assert code_of(sealed + b"\x00") == "BID_TAMPERED"
    full = seal(os.urandom(2 * CHUNK))
    assert code_of(full + os.urandom(CHUNK + TAG_SIZE)) == "BID_TAMPERED"


def test_a_chunk_spliced_from_another_sealing_of_the_same_bidder_is_tampering() -> None:
    """Same key, same section, same bidder (a resubmission): only the nonce prefix differs."""
    data = os.urandom(3 * CHUNK)
    head_a, recs_a = records(seal(data))
    _, recs_b = records(seal(data))
    assert code_of(head_a + recs_a[0] + recs_b[1] + recs_a[2]) == "BID_TAMPERED"


def test_another_bids_ciphertext_under_this_header_is_a_wrong_section() -> None:
    """Bidder A's file presented where B's (or another section's) is expected: the clear header
    says whose it is, so it is refused as misfiled (BID_WRONG_SECTION) before any decryption."""
    sealed = seal(b"bid of A" * 30)
    assert code_of(sealed, StreamHeader(SECTION, OTHER_BIDDER, CHUNK)) == "BID_WRONG_SECTION"
    assert code_of(sealed, StreamHeader(OTHER_SECTION, BIDDER, CHUNK)) == "BID_WRONG_SECTION"


def test_a_relabelled_header_is_tampering() -> None:
    """Bidder A's file with its header rewritten to say bidder B: the label check passes, but the
    header is the AAD of every chunk, so every tag fails: BID_TAMPERED, not a filing error."""
    assert len(BIDDER) == len(OTHER_BIDDER)
    sealed = seal(b"bid of A" * 30)
    relabelled = sealed.replace(BIDDER.encode(), OTHER_BIDDER.encode(), 1)
    assert relabelled != sealed
    assert code_of(relabelled, StreamHeader(SECTION, OTHER_BIDDER, CHUNK)) == "BID_TAMPERED"
    other_section = sealed.replace(SECTION.encode(), OTHER_SECTION.encode(), 1)
    assert code_of(other_section, StreamHeader(OTHER_SECTION, BIDDER, CHUNK)) == "BID_TAMPERED"


def test_a_different_chunk_size_or_nonce_prefix_than_the_manifest_is_tampering() -> None:
    sealed = seal(b"x" * 200)
    assert code_of(sealed, StreamHeader(SECTION, BIDDER, CHUNK * 2)) == "BID_TAMPERED"
    assert code_of(sealed, expected_nonce_prefix=bytes(8)) == "BID_TAMPERED"


def test_a_wrong_key_is_refused_by_the_commitment_before_decrypting() -> None:
    sealed = seal(b"x" * 200)
    assert code_of(sealed, key=bytes(32)) == "BID_KEY_MISMATCH"
    assert code_of(sealed, key=b"short") == "BID_KEY_MISMATCH"
    with pytest.raises(ValueError):
        encrypt_stream(io.BytesIO(b""), io.BytesIO(), b"short", HEADER)


def test_header_values_are_validated() -> None:
    for bad in ("", "a\nb", "x" * 300):
        with pytest.raises(ValueError):
            StreamHeader(bad, BIDDER)
        with pytest.raises(ValueError):
            StreamHeader(SECTION, bad)
    for chunk in (0, 15, 1 << 25, True):
        with pytest.raises(ValueError):
            StreamHeader(SECTION, BIDDER, chunk)


def cached_buffers() -> tuple[bytearray, ...]:
    return stream._BUFFERS.sets


def test_no_plaintext_lingers_in_the_reused_buffers() -> None:
    data = b"SECRET-PRICE-" * 40
    unseal(seal(data))
    assert all(not any(buf) for buf in cached_buffers()[2:])
    assert all(b"SECRET" not in buf for buf in cached_buffers())


def test_no_unauthenticated_plaintext_lingers_after_a_refusal() -> None:
    sealed = bytearray(seal(b"SECRET-PRICE-" * 40))
    sealed[-1] ^= 1  # the last tag fails after its chunk was decrypted into the buffer
    assert code_of(bytes(sealed)) == "BID_TAMPERED"
    assert all(b"SECRET" not in buf for buf in cached_buffers())


class NestedSink:
    """A sink that opens another bid from inside write(): the buffers must not be shared."""

    def __init__(self, inner: bytes) -> None:
        self.out = io.BytesIO()
        self.inner = inner
        self.inner_plain: list[bytes] = []

    def write(self, data: ReadableBuffer, /) -> None:
        self.out.write(data)
        self.inner_plain.append(unseal(self.inner))


def test_a_sink_may_itself_open_a_bid() -> None:
    outer, inner = os.urandom(3 * CHUNK), os.urandom(2 * CHUNK + 1)
    sink = NestedSink(seal(inner))
    decrypt_stream(io.BytesIO(seal(outer)), sink, KEY, HEADER)
    assert sink.out.getvalue() == outer
    assert sink.inner_plain == [inner] * 3


def test_threads_open_bids_concurrently() -> None:
    bids = [os.urandom(CHUNK * i + i) for i in range(1, 13)]
    sealed = [seal(b) for b in bids]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(unseal, sealed)) == bids
