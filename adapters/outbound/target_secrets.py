"""The shared secret a target names (an environment variable or a file), read at every send
so that a rotated secret is picked up without a restart."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class SecretError(Exception):
    """The target names no usable secret: an operator must fix the configuration."""


def read_secret(options: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str:
    """The shared secret named by the target options (``secret_env`` or ``secret_file``, the
    file's first line stripped). Read at every send so a rotated secret is picked up."""
    env = os.environ if environ is None else environ
    name = options.get("secret_env")
    path = options.get("secret_file")
    if name:
        value = env.get(str(name), "").strip()
        if not value:
            raise SecretError(f"secret: environment variable {name} is not set or empty")
        return value
    if path:
        try:
            lines = Path(str(path)).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise SecretError(f"secret: cannot read secret_file {path}: "
                              f"{type(err).__name__}") from err
        value = lines[0].strip() if lines else ""
        if not value:
            raise SecretError(f"secret: secret_file {path} is empty")
        return value
    raise SecretError("secret: the target options name no secret (secret_env or secret_file)")
