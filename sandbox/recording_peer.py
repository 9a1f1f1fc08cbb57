"""The recording peer's command: ``python -m sandbox.recording_peer --port P --store PATH``.

The peer itself lives in ``sandbox.recorder``; this module is the entry point named in issue 4
and re-exports what tests and the benchmark use.
"""

from sandbox.recorder import (
    ControlError,
    FaultMode,
    PeerControl,
    RecordingPeer,
    RecordingPeerProcess,
    create_app,
    free_port,
)
from sandbox.recorder.server import main, serve

__all__ = ["ControlError", "FaultMode", "PeerControl", "RecordingPeer", "RecordingPeerProcess",
           "create_app", "free_port", "main", "serve"]

if __name__ == "__main__":
    main()
