"""The caller commits: no use case ends the transaction of the entry point that called it.

A use case that committed would split what its caller meant as one change (two use cases called
by one request, a use case and the SOAP call's audit entry, an inbound message and its effect)
into two transactions, the first of which survives a failure of the second. So ``commit`` is
called only where a unit of work is opened: REST's request dependency, CLI commands, the SOAP
call, the scheduler's tick, the exchange's workers, the demo.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.bootstrap import Container
from core.errors import DomainError
from core.model.audit import AuditEntry

ROOT = Path(__file__).resolve().parents[2]
# use cases, and the exchange's operations that REST and the CLI call inside their own unit
USE_CASES = [*sorted((ROOT / "core").rglob("*.py")),
             *(ROOT / "exchange" / name for name in
               ("operations.py", "inbox.py", "config.py", "mapping_specs.py", "console.py",
                "relay.py", "delivery_states.py"))]
# the one place in core that may commit: the unit of work itself, for its entry point, and
# the scheduler's tick, which opens one unit per due round
ENTRY_POINTS_IN_CORE = {ROOT / "core" / "uow.py",
                        ROOT / "core" / "services" / "tendering" / "scheduler.py"}


def commits_in(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"]


def test_no_use_case_commits() -> None:
    found = {str(p.relative_to(ROOT)): lines for p in USE_CASES
             if p not in ENTRY_POINTS_IN_CORE and (lines := commits_in(p))}
    assert found == {}


def test_the_scheduler_commits_only_in_its_tick() -> None:
    path = ROOT / "core" / "services" / "tendering" / "scheduler.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    owners = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)
              for node in ast.walk(f) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"}
    assert owners == {"run_due"}


def test_the_check_would_see_a_commit() -> None:
    assert commits_in(ROOT / "core" / "uow.py")  # the unit's own commit is found


def audit_count(c: Container) -> int:
    with c.session_factory() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_an_uncommitted_unit_leaves_nothing(container: Container) -> None:
    before = audit_count(container)
    with container.uow() as uow:
        uow.record("test:boundary", "test.change", "thing", 1, None, {"n": 1})
    assert audit_count(container) == before


def test_a_refusal_rolls_back_unless_what_came_before_is_kept(container: Container) -> None:
    before = audit_count(container)
    with pytest.raises(DomainError), container.uow() as uow:
        uow.record("test:boundary", "test.refused", "thing", 1, None, None)
        raise DomainError("TEST_REFUSED", "拒绝", "refused")
    assert audit_count(container) == before
    with pytest.raises(DomainError), container.uow() as uow:
        uow.record("test:boundary", "test.evidence", "thing", 1, None, None)
        uow.keep_on_refusal()
        raise DomainError("TEST_REFUSED", "拒绝", "refused")
    assert audit_count(container) == before + 1


def test_a_crash_rolls_back_even_what_was_kept(container: Container) -> None:
    before = audit_count(container)
    with pytest.raises(RuntimeError), container.uow() as uow:
        uow.record("test:boundary", "test.evidence", "thing", 1, None, None)
        uow.keep_on_refusal()
        raise RuntimeError("not a refusal")
    assert audit_count(container) == before
