"""``python -m sandbox.recorder`` is the same command as ``python -m sandbox.recording_peer``."""

from sandbox.recorder.server import main

main()
