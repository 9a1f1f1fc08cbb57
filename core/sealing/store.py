"""Where ciphertexts live: a content-addressed store, a local folder by default.

A blob's address is the SHA-256 of its bytes, so the address in an envelope and a receipt names
exactly one content, a second upload of the same bytes is a no-op, and corruption is detectable
(:meth:`FolderStore.verify`; the opening verifies the address in the same pass as it decrypts).

The core asks for the :class:`ContentStore` port; the composition root hands it a
:class:`FolderStore` (embedded default) or an object-store implementation. Both stream: memory
stays flat whatever the size of the bid.

FolderStore writes to a temporary file in the store folder while hashing, fsyncs it, makes it
read-only and renames it to ``<root>/<aa>/<bb>/<sha256>`` (atomic on one file system), then fsyncs
the folder. A reader never sees a half-written blob. An address is accepted only as 64 lowercase
hex digits, so no address can walk out of the store (``../``, absolute paths, separators).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from core.errors import not_found
from core.sealing.errors import CONTENT_ADDRESS_INVALID, SealingError
from core.sealing.stream import Source

BLOCK_SIZE = 1 << 20
_HEX = frozenset("0123456789abcdef")


class ContentStore(Protocol):
    def put(self, stream: Source) -> str:
        """Store the bytes of ``stream``; return their SHA-256 hex (the address)."""
        ...

    def open(self, address: str) -> BinaryIO:
        """The stored bytes, as a binary stream the caller closes."""
        ...

    def exists(self, address: str) -> bool: ...


def check_address(address: object) -> str:
    """The address if it is 64 lowercase hex digits; CONTENT_ADDRESS_INVALID otherwise."""
    if not isinstance(address, str) or len(address) != 64 or not set(address) <= _HEX:
        raise SealingError(CONTENT_ADDRESS_INVALID, reason="not a lowercase SHA-256 hex digest",
                           address=repr(address)[:80])
    return address


class FolderStore:
    """A content-addressed store in a local folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, address: str) -> Path:
        address = check_address(address)
        return self.root / address[:2] / address[2:4] / address

    def put(self, stream: Source) -> str:
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                while block := stream.read(BLOCK_SIZE):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            address = digest.hexdigest()
            final = self.path_of(address)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists() and self.verify(address):
                tmp.unlink()  # same address, same bytes: already stored
                return address
            tmp.chmod(0o440)  # a damaged copy under this address, if any, is replaced
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return address
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    def open(self, address: str) -> BinaryIO:
        path = self.path_of(address)
        try:
            return path.open("rb")
        except FileNotFoundError:
            raise not_found("密文", "ciphertext", address) from None

    def exists(self, address: str) -> bool:
        return self.path_of(address).is_file()

    def verify(self, address: str) -> bool:
        """True if the stored bytes still hash to their address (streamed)."""
        digest = hashlib.sha256()
        with self.open(address) as stream:
            while block := stream.read(BLOCK_SIZE):
                digest.update(block)
        return hmac.compare_digest(digest.hexdigest(), address)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
