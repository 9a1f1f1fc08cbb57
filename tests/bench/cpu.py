"""CPU time of process trees and of the services, read from /proc, for "CPU per delivery".

A rate alone does not say what a delivery costs: on 2 shared cores the hub, PostgreSQL,
RabbitMQ and the peer take turns. Summing each group's user + system time over a run and
dividing by what it delivered does.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # the fields after "(comm)"


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def tree(pids: Iterable[int]) -> list[int]:
    """The processes and all their live descendants."""
    out: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid not in out:
            out.append(pid)
            todo += _children(pid)
    return out


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system time of the processes (not of their children, which ``tree`` lists)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def named(*commands: str) -> list[int]:
    """Processes whose command name is one of ``commands`` (postgres, beam.smp …)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in commands:
                    out.append(int(entry.name))
            except OSError:
                pass
    return out


def per_process(pids: Iterable[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


class CpuMeter:
    """CPU seconds spent by groups of processes between ``start()`` and ``stop()``.

    A group is a function listing its processes, asked again at the end: a process that
    started meanwhile (a PostgreSQL backend for a new connection, a worker's child) counts with
    all its time, one that ended meanwhile with none of its last stretch (a figure a little
    low, never high)."""

    def __init__(self, groups: dict[str, Callable[[], Iterable[int]]]) -> None:
        self.groups = groups
        self._before: dict[str, dict[int, float]] = {}

    def start(self) -> None:
        self._before = {n: per_process(tree(list_pids())) for n, list_pids in self.groups.items()}

    def stop(self) -> dict[str, float]:
        spent = {}
        for name, list_pids in self.groups.items():
            now = per_process(tree(list_pids()))
            before = self._before[name]
            spent[name] = sum(t - before.get(pid, 0.0) for pid, t in now.items())
        return spent
