"""No server-side code path may produce a key that opens a bid (电子招标投标办法 第二十八条).

Read from the source, not from a run: every call in core/ and adapters/ (the server; the bidder
and keyholder tool in adapters/bidder is the client and may make keys) is checked against the
functions that make P-256 private keys, committee keys or a bid's data key and its shares. The
few places in core/sealing that make one are listed with why they are not the server making a
key that opens a bid; anything else, or any of these called from outside core/sealing, fails.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SERVER = ("core", "adapters")
CLIENT = ("adapters/bidder",)
# What makes a private key, a committee key, a data key or its shares.
KEY_MAKERS = frozenset({
    "generate_private_key", "derive_private_key", "create_committee", "new_dek", "split_dek",
    "seal_bid", "wrap_key", "shamir.split", "generate_keyholder_key", "generate_key",
})
# (file, enclosing function, call) -> why it is not the server making a key that opens a bid.
ALLOWED = {
    ("core/sealing/wrap.py", "generate_private_key", "derive_private_key"):
        "the ephemeral key of one ECIES wrap, made inside wrap_key on the sealing side",
    ("core/sealing/wrap.py", "wrap_key", "generate_private_key"):
        "the same ephemeral key; wrap_key runs only where a secret is sealed (the client)",
    ("core/sealing/committee.py", "rebuild_committee_key", "derive_private_key"):
        "legacy rounds: the committee key rebuilt from k keyholders' shares after the window",
    ("core/sealing/envelope.py", "seal_bid", "new_dek"): "seal_bid runs on the bidder's side",
    ("core/sealing/envelope.py", "seal_bid", "split_dek"): "seal_bid runs on the bidder's side",
    ("core/sealing/envelope.py", "seal_bid", "wrap_key"): "seal_bid runs on the bidder's side",
    ("core/sealing/keyholders.py", "split_dek", "shamir.split"): "split_dek runs inside seal_bid",
    ("core/sealing/keyholders.py", "split_dek", "wrap_key"): "split_dek runs inside seal_bid",
    # ggzy demo plays the bidders and keyholders, through their own tool's functions
    ("adapters/demo_lifecycle.py", "_keyholder", "generate_keyholder_key"):
        "the demo's keyholders make their keys with the keyholder tool",
    ("adapters/demo_lifecycle.py", "bid_and_open", "generate_key"):  # both demo tenders
        "the demo's bidders make their keys with the bidder tool",
}


def server_files() -> Iterator[tuple[str, ast.Module]]:
    for top in SERVER:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(CLIENT) or "/migrations/" in rel:
                continue
            yield rel, ast.parse(path.read_text(encoding="utf-8"), rel)


def calls(tree: ast.Module) -> Iterator[tuple[str, str, int]]:
    """(enclosing function, called name, line) for every call, by its last name part (Shamir's
    ``split`` as ``shamir.split``, to tell it from ``str.split``)."""
    def walk(node: ast.AST, scope: str) -> Iterator[tuple[str, str, int]]:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) \
                else scope
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else (
                    func.id if isinstance(func, ast.Name) else "")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    name = "shamir.split" if (func.value.id, name) == ("shamir", "split") \
                        else name
                yield scope, name, child.lineno
            yield from walk(child, inner)
    yield from walk(tree, "<module>")


def test_no_server_code_makes_a_key_that_opens_a_bid() -> None:
    found, used = [], set()
    scanned = 0
    for rel, tree in server_files():
        scanned += 1
        for scope, name, line in calls(tree):
            if name not in KEY_MAKERS:
                continue
            if (rel, scope, name) in ALLOWED:
                used.add((rel, scope, name))
            else:
                found.append(f"{rel}:{line} {scope}() calls {name}()")
    assert scanned > 100  # the walk really covered the server
    assert found == [], "server code makes keys: " + "; ".join(found)
    assert used == set(ALLOWED), f"stale allowances: {set(ALLOWED) - used}"


def test_no_server_module_imports_the_sealing_side() -> None:
    """Outside core/sealing (and the demo, which plays the parties), nothing imports what seals:
    the services and transports only ever open and check."""
    sealing_side = {"seal_bid", "split_dek", "new_dek", "wrap_key", "generate_private_key",
                    "create_committee"}
    found = []
    for rel, tree in server_files():
        if rel.startswith("core/sealing/") or rel == "adapters/demo_lifecycle.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = {a.name for a in node.names}
                if names & sealing_side or (node.module or "").startswith("adapters.bidder"):
                    found.append(f"{rel}: from {node.module} import {sorted(names)}")
            elif isinstance(node, ast.Import) and any(a.name.startswith("adapters.bidder")
                                                      for a in node.names):
                found.append(f"{rel}: import adapters.bidder")
    assert found == []


def test_the_round_is_configured_without_making_a_key() -> None:
    """The use case that configures a round builds the panel from the keyholders' public keys."""
    source = (ROOT / "core/services/tendering/rounds.py").read_text(encoding="utf-8")
    assert "keyholder_panel(" in source and "create_committee" not in source


def test_the_scan_would_catch_a_committee_keygen() -> None:
    """The check itself: the old configuration code is reported."""
    old = ast.parse("def _checked():\n"
                    "    committee = create_committee(code, holders, k)\n"
                    "    key = ec.generate_private_key(ec.SECP256R1())\n")
    assert [(s, n) for s, n, _ in calls(old) if n in KEY_MAKERS] == [
        ("_checked", "create_committee"), ("_checked", "generate_private_key")]
