"""Logs: a readable line per event on a terminal, one JSON object per line everywhere else.

``extra={"delivery_id": ...}`` on a log call lands as a field, so every line of a delivery's
story can be found with one filter in the log store. A person watching `make run` reads the
same events as one short line each (Beijing time, level, logger, message, the fields as
key=value); uvicorn's access log goes through the same handler, so it follows the same rule.
``GGZY_LOG_FORMAT`` (``auto``, ``json``, ``text``) overrides the choice.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import TextIO

from core.clock import SHANGHAI

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
FORMATS = ("auto", "json", "text")


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One line per event for people: ``23:20:01+08:00 INFO  ggzy.serve  message  k=v``.
    An exception is named on the line (its type and message), not unrolled over fifty."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, SHANGHAI).isoformat(timespec="seconds")
        parts = [at[11:], f"{record.levelname:<7}", record.name, record.getMessage()]
        parts.extend(f"{k}={v}" for k, v in _extras(record).items())
        if record.exc_info and record.exc_info[1] is not None:
            err = record.exc_info[1]
            parts.append(f"exception={type(err).__name__}: {err}")
        return "  ".join(" ".join(str(p).splitlines()) for p in parts)


def formatter_for(stream: TextIO, choice: str | None = None) -> logging.Formatter:
    choice = (choice or os.environ.get("GGZY_LOG_FORMAT") or "auto").lower()
    if choice not in FORMATS:
        choice = "auto"
    text = choice == "text" or (choice == "auto" and stream.isatty())
    return TextFormatter() if text else JsonFormatter()


def configure_logging(level: str | None = None, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter_for(stream))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or os.environ.get("GGZY_LOG_LEVEL", "INFO"))
    logging.getLogger("httpx").setLevel(logging.WARNING)
