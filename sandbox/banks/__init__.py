"""Sandbox banks, one per bank profile, each written from its protocol document in ``docs/banks/``.

- ``sandbox.banks.line_bank`` (run with ``python -m sandbox.banks.line``): the private-line
  profile, ``docs/banks/line-protocol.md``: length-prefixed GBK XML over TCP, transaction codes,
  pushes retried until the hub answers, an HTTP JSON control API on loopback.
- ``sandbox.banks.open_bank`` (run with ``python -m sandbox.banks.open_bank``): the open-banking
  profile, ``docs/banks/open-protocol.md``: HTTPS JSON signed SM3WithSM2 over the raw bytes,
  callbacks retried until the hub answers SUCCESS, an HTTP JSON control API on loopback.

Like every peer under ``sandbox`` they import nothing of the project.
"""
