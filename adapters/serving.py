"""Owning the listening socket before anything is sent, and knowing our own server from another.

uvicorn runs the application's start-up (which starts the embedded exchange engine) before it
binds its socket; on a busy port the engine had already delivered to whatever answered there by
the time the bind failed. So the socket is bound here first, and the engine only starts once
the address is ours. The demo, which routes the sample tender to the sandbox peers mounted on
``GGZY_HOST:GGZY_PORT``, first asks whoever answers there for its instance id: a server of
another clone (another var folder) answers with another id, or none, and the demo refuses.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import httpx

INSTANCE_FILE = "instance-id"
INSTANCE_PATH = "/healthz"  # answers {"status": "ok", "instance": "<id>"}


class AddressInUse(Exception):
    """The port is taken by another process: nothing of ours was started."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port), or AddressInUse."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT only, not a taker
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as err:
        sock.close()
        raise AddressInUse(f"{host}:{port} is taken by another process ({err.strerror})") from err
    sock.set_inheritable(True)
    return sock


def instance_id(var_dir: Path) -> str:
    """This installation's id: drawn once (``secrets``) into the var folder, so `ggzy serve`
    and `ggzy demo` of one clone agree and those of two clones do not. Not a secret."""
    path = var_dir / INSTANCE_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(16)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:  # another process drew it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(value + "\n")
    return value


def answering_instance(host: str, port: int) -> str | None:
    """The instance id of the server answering on (host, port); None when it is not ours
    to read (another program, an old ggzy, no answer)."""
    try:
        body = httpx.get(f"http://{host}:{port}{INSTANCE_PATH}", timeout=3).json()
    except (httpx.HTTPError, ValueError):
        return None
    value = body.get("instance") if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0
