"""Run one platform peer as its own process.

``python -m sandbox.platforms fujian --port 8801 --store var/fujian.db --credentials-file f.json``

The credentials file is JSON holding the keyword arguments of the profile's ``create_app``:

- fujian: ``{"senders": {"0001": "secret-of-at-least-8-bytes"}}``
- shanxi: ``{"users": {"1234567890": "key"}, "credit_codes": {"1234567890": "<18 chars>"}}``
- national: ``{"platforms": {"E3500000717": "secret"}}``

Secrets live in that file (keep it out of the repository), never on the command line.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox.platforms import PROFILES, fujian, national, shanxi
from sandbox.platforms.app import PlatformApp
from sandbox.platforms.serve import make_peer_server

_CREDENTIAL_KEYS = {"fujian": ("senders",), "shanxi": ("users", "credit_codes"),
                    "national": ("platforms",)}


def build(profile: str, store: Path, credentials: dict[str, Any]) -> PlatformApp:
    """The peer app for ``profile`` with the credentials read from the file."""
    missing = [k for k in _CREDENTIAL_KEYS[profile] if not isinstance(credentials.get(k), dict)]
    if missing:
        raise SystemExit(f"credentials file: {profile} needs the object(s) {', '.join(missing)}")
    kwargs = {k: {str(a): str(b) for a, b in credentials[k].items()}
              for k in _CREDENTIAL_KEYS[profile]}
    if profile == "fujian":
        return fujian.create_app(store, senders=kwargs["senders"])
    if profile == "shanxi":
        return shanxi.create_app(store, users=kwargs["users"],
                                 credit_codes=kwargs["credit_codes"])
    return national.create_app(store, platforms=kwargs["platforms"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.platforms",
                                     description="Run a sandbox platform peer.")
    parser.add_argument("profile", choices=PROFILES)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store", type=Path, required=True, help="SQLite file (kept)")
    parser.add_argument("--credentials-file", type=Path, required=True,
                        help="JSON with the create_app keyword arguments")
    args = parser.parse_args(argv)
    credentials = json.loads(args.credentials_file.read_text(encoding="utf-8"))
    if not isinstance(credentials, dict):
        raise SystemExit("credentials file: expected a JSON object")
    app = build(args.profile, args.store, credentials)
    server = make_peer_server(app, args.host, args.port)

    def stop(signum: int, frame: Any) -> None:
        # shutdown() waits for serve_forever to return: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"{args.profile} peer on http://{args.host}:{server.server_port}/ "
          f"(WSDL /?wsdl, store {args.store})", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()


if __name__ == "__main__":
    main()
