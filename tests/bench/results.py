"""Benchmark figures as data: every `make bench` figure is printed and also written as JSON, so
two runs (two commits, two machines) can be compared without reading terminal output.

Each benchmark module opens one :class:`Results` and records its figures beside their raw
baseline; on close it writes ``var/bench/<bench>-<UTC timestamp>.json`` (and
``<bench>-latest.json``) with the commit they were measured at.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline: float | None = None  # the raw baseline measured in the same run
    baseline_name: str | None = None
    ratio: float | None = None  # value / baseline (or as the benchmark defines it)
    note: str | None = None


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@dataclass
class Results:
    bench: str
    figures: list[Figure] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)

    def record(self, name: str, value: float, unit: str, *, baseline: float | None = None,
               baseline_name: str | None = None, ratio: float | None = None,
               note: str | None = None) -> Figure:
        if ratio is None and baseline:
            ratio = value / baseline
        figure = Figure(name, value, unit, baseline, baseline_name, ratio, note)
        self.figures.append(figure)
        return figure

    def write(self) -> Path:
        folder = Path(os.environ.get("GGZY_BENCH_DIR", ROOT / "var" / "bench"))
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        body = {"bench": self.bench, "commit": _commit(), "at": now.isoformat(),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                            "platform": platform.platform()},
                "context": self.context, "figures": [asdict(f) for f in self.figures]}
        text = json.dumps(body, ensure_ascii=False, indent=2)
        path = folder / f"{self.bench}-{now:%Y%m%dT%H%M%SZ}.json"
        path.write_text(text, encoding="utf-8")
        (folder / f"{self.bench}-latest.json").write_text(text, encoding="utf-8")
        return path

    def __enter__(self) -> Results:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            print(f"figures written to {self.write()}")
