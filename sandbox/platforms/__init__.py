"""Sandbox stand-ins for the provincial and national platforms the hub pushes records to.

Three peers, one per profile of docs/platform-protocols.md §3, written from the protocol and
the research field lists, not from the hub's code (nothing here imports the project):

- ``fujian``: FJ V4 ``UploadData_G_V4`` (SOAP 1.1, DES token);
- ``shanxi``: pspde ``receiveInfo`` (SOAP 1.1, USERID/KEY + CREDITCODE, versioned PLATID);
- ``national``: ``SubmitRecord`` (SOAP 1.1 and 1.2, WS-Security UsernameToken).

Each module has ``create_app(store_path, **credentials) -> PlatformApp`` (a WSGI app);
``serve.serving(app)`` runs one on a free loopback port; ``python -m sandbox.platforms`` runs one
as its own process. Shared parts: ``rules`` (what the systems check), ``ledger`` (the decision),
``store`` (SQLite), ``answer`` (a reply ending a call), ``app``/``control``/``faults``/
``hardening``/``soap`` (the shell).
"""

from sandbox.platforms.app import PlatformApp
from sandbox.platforms.serve import serving

PROFILES = ("fujian", "shanxi", "national")

__all__ = ["PROFILES", "PlatformApp", "serving"]
