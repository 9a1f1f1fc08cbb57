"""When the tenderer or purchaser received the evaluation report: the moment the periods after it
(条例 54's publicity start, 政采条例 43's decision) count from."""

from __future__ import annotations

from datetime import datetime

from core.errors import DomainError, ErrorKind
from core.model.tendering import Evaluation


def report_received_at(evaluation: Evaluation | None) -> datetime | None:
    """When its signatures were closed (the report is handed over then), else when it was
    generated. ``None`` without an evaluation on record (nothing is then counted from it);
    refused while the report is not signed off."""
    if evaluation is None:
        return None
    if evaluation.status != "signed" or evaluation.reported_at is None:
        raise DomainError("EVALUATION_NOT_SIGNED_OFF", "评标报告尚未签署完成",
                          "the evaluation report is not signed off yet", ErrorKind.CONFLICT)
    signatures = (evaluation.result or {}).get("signatures")
    closed = signatures.get("closed_at") if isinstance(signatures, dict) else None
    if isinstance(closed, str):
        try:
            return datetime.fromisoformat(closed)
        except ValueError:
            pass
    return evaluation.reported_at


def signed_report_received_at(evaluation: Evaluation | None) -> datetime | None:
    """As :func:`report_received_at`, but ``None`` (not a refusal) while it is not signed off:
    for the scheduler, which only asks whether a period has begun."""
    if evaluation is None or evaluation.status != "signed":
        return None
    return report_received_at(evaluation)
