"""The folder store: content-addressed, atomic, streamed, and no way out of its folder."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest

from core.errors import DomainError, ErrorKind
from core.sealing.errors import SealingError
from core.sealing.store import ContentStore, FolderStore


class Trickle:
    """A source returning at most 1000 bytes per read and counting the reads."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)
        self.reads = 0

    def read(self, size: int = -1, /) -> bytes:
        self.reads += 1
        return self._src.read(min(size, 1000) if size >= 0 else 1000)


def test_round_trip_and_address(tmp_path: Path) -> None:
    store: ContentStore = FolderStore(tmp_path)
    data = os.urandom(3 * 1024 * 1024 + 5)
    address = store.put(io.BytesIO(data))
    assert address == hashlib.sha256(data).hexdigest()
    assert store.exists(address)
    with store.open(address) as stream:
        assert stream.read() == data
    assert (tmp_path / address[:2] / address[2:4] / address).is_file()


def test_put_streams_from_a_slow_source(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    data = os.urandom(10_000)
    source = Trickle(data)
    assert store.put(source) == hashlib.sha256(data).hexdigest()
    assert source.reads > 10


def test_empty_content_and_idempotent_puts(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    empty = store.put(io.BytesIO(b""))
    assert empty == hashlib.sha256(b"").hexdigest()
    first = store.put(io.BytesIO(b"same"))
    assert store.put(io.BytesIO(b"same")) == first
    leftovers = [p for p in tmp_path.rglob("*") if p.name.startswith(".incoming-")]
    assert leftovers == []


def test_stored_blobs_are_read_only(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    path = store.path_of(store.put(io.BytesIO(b"bid")))
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


@pytest.mark.parametrize("address", [
    "../" * 10 + "etc/passwd",
    "/etc/passwd",
    "..",
    "",
    "a" * 63,
    "a" * 65,
    "A" * 64,
    "g" * 64,
    "ab/cd" + "e" * 59,
    "ab\\cd" + "e" * 59,
    "\x00" + "a" * 63,
    "a" * 63 + "\n",
    "..%2f" + "a" * 59,
    None,
    b"a" * 64,
])
def test_traversal_looking_addresses_are_refused(tmp_path: Path, address: object) -> None:
    store = FolderStore(tmp_path)
    for call in (store.open, store.exists, store.path_of, store.verify):
        with pytest.raises(SealingError) as info:
            call(address)  # type: ignore[arg-type]
        assert info.value.code == "CONTENT_ADDRESS_INVALID"


def test_a_missing_address_is_not_found(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    with pytest.raises(DomainError) as info:
        store.open("0" * 64)
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert not store.exists("0" * 64)


def test_verify_detects_corruption(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    address = store.put(io.BytesIO(b"sealed bid bytes"))
    assert store.verify(address)
    path = store.path_of(address)
    path.chmod(0o600)
    path.write_bytes(b"sealed bid bytez")
    assert not store.verify(address)


def test_a_failed_put_leaves_nothing_behind(tmp_path: Path) -> None:
    class Broken:
        def read(self, size: int = -1, /) -> bytes:
            raise OSError("connection reset")

    store = FolderStore(tmp_path)
    with pytest.raises(OSError):
        store.put(Broken())
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_copy_under_an_address_is_replaced_by_the_next_put(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    address = store.put(io.BytesIO(b"the real bid"))
    path = store.path_of(address)
    path.chmod(0o600)
    path.write_bytes(b"planted")
    assert store.put(io.BytesIO(b"the real bid")) == address
    assert store.verify(address)
    assert path.read_bytes() == b"the real bid"
