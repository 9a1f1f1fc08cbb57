"""Sealed bids: encryption on the bidder's side, multi-party opening, signed receipts.

A pure library (no database, no clock, no network): the tendering use cases call it and record
every step in the audit log. One module per job:

* ``stream``    streamed AES-256-GCM (STREAM construction, key-committing) over file-like objects;
* ``wrap``      ECIES P-256 key wrap bound to purpose, section and party;
* ``shamir``    k-of-n sharing of an element of GF(q), q the P-256 order (a data key, or a
  legacy committee scalar);
* ``keyholders`` the round's keyholders (their own public keys only) and each bid's data key
  split among them on the bidder's side (envelope version 2);
* ``committee`` the legacy (version 1) opening committee, read only: nothing creates one;
* ``envelope``  the stored manifest, ``seal_bid`` / ``open_bid`` and the unwrap paths;
* ``receipts``  the platform's Ed25519-signed submission receipt;
* ``store``     the content-addressed ciphertext store port and its local-folder implementation;
* ``codec``     strict canonical JSON for the records above; ``errors`` the stable codes.

House rules enforced here: the platform never generates, and never holds before the deadline, a
key that opens a bid (电子招标投标办法 第二十八条; tests/unit/sealing/test_sealing_no_server_keys.py
checks the server code for key generation); no key that opens a bid is ever in a stored record;
key material comes from ``secrets``.
"""
