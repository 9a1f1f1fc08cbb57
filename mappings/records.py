"""Data-set records: what a mapping produces and what every platform profile sends.

A record is target-neutral: the national data set's code and field codes, values already written
as the standard writes them (strings; an absent optional field is left out), the operation, and a
business key. Profiles (Fujian, Shanxi, national) only wrap records in their own envelopes, so a
mapping is written and validated once however many platforms receive it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

CONTENT_TYPE = "application/vnd.ggzy.dataset-records+json"


class Operation(StrEnum):
    ADD = "add"  # FJ DATA_TYPE 1
    UPDATE = "update"  # FJ DATA_TYPE 2
    DELETE = "delete"  # FJ DATA_TYPE 3


@dataclass(frozen=True)
class DataSetRecord:
    data_set: str  # national code, e.g. "501"
    name_en: str  # e.g. "TENDER_PROJECT"
    name_zh: str
    operation: Operation
    key: str  # business key, unique within the data set (e.g. the 20-char tender project code)
    version: str  # yyyyMMddHHmmss of the change: lets a peer drop a stale update
    fields: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"data_set": self.data_set, "name_en": self.name_en, "name_zh": self.name_zh,
                "operation": self.operation.value, "key": self.key, "version": self.version,
                "fields": self.fields}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DataSetRecord:
        fields = data["fields"]
        if not isinstance(fields, dict):
            raise ValueError("fields must be an object")
        return cls(str(data["data_set"]), str(data["name_en"]), str(data["name_zh"]),
                   Operation(str(data["operation"])), str(data["key"]), str(data["version"]),
                   {str(k): str(v) for k, v in fields.items()})


def encode(records: Iterable[DataSetRecord]) -> bytes:
    """The delivery body: records in the order they must reach the peer."""
    return json.dumps({"records": [r.to_json() for r in records]}, ensure_ascii=False,
                      separators=(",", ":")).encode()


def decode(body: bytes) -> list[DataSetRecord]:
    data = json.loads(body)
    return [DataSetRecord.from_json(item) for item in data["records"]]
