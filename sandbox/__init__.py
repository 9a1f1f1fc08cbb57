"""Simulated external systems that speak the real protocols, for ``make run``, tests and drills.

Every peer here is written from the protocol (WSDL/XSD, message format, signature rule) and
imports nothing of the project (no ``core``, ``exchange``, ``mappings`` or ``adapters``): if an
adapter misreads the protocol, the exchange with the peer fails, instead of the misreading being
shared by both sides and passing unseen.

- ``sandbox.recorder`` (run with ``python -m sandbox.recording_peer``): a peer that receives
  deliveries over HTTP and SOAP, records them once per idempotency key, counts the repeats, and
  misbehaves for the next N calls on request. The exchange engine's tests and benchmarks deliver
  to it.
- ``sandbox.platforms``: the Fujian-style, Shanxi-style and national platform peers (spyne).
- ``sandbox.banks``: the sandbox banks, one per bank profile (``python -m sandbox.banks.line``:
  the private-line profile of ``docs/banks/line-protocol.md``).
- ``sandbox.common``: plumbing the peers share (SQLite file, fault-plan queue); no protocol
  knowledge.
"""
