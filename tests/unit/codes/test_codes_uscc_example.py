"""`ggzy codes uscc --example`: a sample USCC a newcomer can register with (issue 10 §1), instead
of the operator's own code, which the walkthrough used to register as a tenderer."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from adapters.cli import main
from core.codes.errors import CodeError
from core.codes.uscc import example_uscc, validate_uscc


def test_examples_are_valid_distinct_and_carry_their_region() -> None:
    drawn = [example_uscc("350104") for _ in range(300)]
    assert all(validate_uscc(code) == code for code in drawn)
    assert all(code[:8] == "91350104" for code in drawn)
    assert len(set(drawn)) == len(drawn)  # random bodies (secrets), not one fixed sample


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(CodeError) as err:
        example_uscc("999999")
    assert err.value.code == "REGION_CODE_UNKNOWN"


def test_the_command_prints_one_valid_code() -> None:
    out = CliRunner().invoke(main, ["codes", "uscc", "--example", "--region", "110105"])
    assert out.exit_code == 0, out.output
    code = out.output.strip()
    assert validate_uscc(code) == code and code.startswith("91110105")


def test_the_command_checks_a_code_and_refuses_a_bad_one_in_one_line() -> None:
    ok = CliRunner().invoke(main, ["codes", "uscc", "91350100M000100Y43"])
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = CliRunner().invoke(main, ["codes", "uscc", "91350100M000100Y44"])
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        "error: USCC_BAD_CHECK: USCC 91350100M000100Y44 has a bad check character; "
        "expected 3"]
