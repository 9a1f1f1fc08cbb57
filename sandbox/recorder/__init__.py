"""The recording peer: receives HTTP and SOAP deliveries, records them, misbehaves on request.

The exchange engine's tests and benchmark deliver to it and then count what arrived:
each message carries an idempotency key; the first arrival per (channel, key) is *accepted*, a
repeat is answered the same way and counted as a *duplicate*, so "exactly once in effect" is a
number a test can assert. Records are kept in a SQLite file that survives the process being
killed and started again on the same port.

- ``app``: the ASGI application (routes, fault modes, control API)
- ``store``: the SQLite records
- ``faults``: the armed misbehaviour plans
- ``soap``: WSDL, hardened XML reading, SOAP answers and faults
- ``server``: uvicorn runner and command line (``python -m sandbox.recording_peer``)
- ``control``, ``process``: a stdlib client of the control API and a subprocess harness
"""

from sandbox.recorder.app import RecordingPeer, create_app
from sandbox.recorder.control import ControlError, PeerControl
from sandbox.recorder.faults import FaultMode
from sandbox.recorder.process import RecordingPeerProcess, free_port

__all__ = ["ControlError", "FaultMode", "PeerControl", "RecordingPeer", "RecordingPeerProcess",
           "create_app", "free_port"]
