"""The key that seals system clients' digest secrets: from the file ``GGZY_WS_DIGEST_KEY_FILE``
names, or (embedded default) generated once as ``var/keys/ws-digest.key``, owner-only. It never
enters the database, so a copy of the database opens no secret; losing it means issuing every
digest secret again."""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from pathlib import Path

from adapters.config import Settings
from adapters.keys import write_secret_file
from core.security.secret_box import KEY_BYTES, SecretBox


def key_path(settings: Settings) -> Path:
    named = os.environ.get("GGZY_WS_DIGEST_KEY_FILE")
    return Path(named) if named else settings.var_dir / "keys" / "ws-digest.key"


def digest_box(settings: Settings) -> SecretBox:
    path = key_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with contextlib.suppress(FileExistsError):  # another process made it first: use it
            write_secret_file(path, base64.b64encode(secrets.token_bytes(KEY_BYTES)) + b"\n")
    try:
        key = base64.b64decode(path.read_bytes().strip(), validate=True)
    except binascii.Error:
        raise SystemExit(f"{path} does not hold a base64 key") from None
    if len(key) != KEY_BYTES:
        raise SystemExit(f"{path} must hold a {KEY_BYTES}-byte key (base64)")
    return SecretBox(key)
