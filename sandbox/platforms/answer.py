"""A refusal a peer decides before the record reaches the ledger: credentials, parameters, the
shape of the carried XML. The peer answers it in its own words (``code`` and ``message`` of its
result) and counts it under ``reason`` in its store."""

from __future__ import annotations


class Answer(Exception):
    def __init__(self, code: str, message: str, reason: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason
