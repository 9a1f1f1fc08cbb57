"""Sealed bids: encryption on the bidder's side, multi-party opening, signed receipts.

A pure library (no database, no clock, no network): the tendering use cases call it and record
every step in the audit log. One module per job:

* ``stream``    streamed AES-256-GCM (STREAM construction, key-committing) over file-like objects;
* ``wrap``      ECIES P-256 key wrap bound to purpose, section and party;
* ``shamir``    k-of-n sharing of a P-256 scalar;
* ``committee`` the per-section opening committee (key split among named keyholders);
* ``envelope``  the stored manifest, ``seal_bid`` / ``open_bid`` and the two unwrap paths;
* ``receipts``  the platform's Ed25519-signed submission receipt;
* ``store``     the content-addressed ciphertext store port and its local-folder implementation;
* ``codec``     strict canonical JSON for the records above; ``errors`` the stable codes.

House rule enforced here: no key that opens a bid is ever returned in a stored record, and key
material comes from ``secrets``.
"""
