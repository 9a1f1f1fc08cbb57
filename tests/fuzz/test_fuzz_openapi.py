"""schemathesis against the published OpenAPI, as an anonymous caller, as centre staff and as an
administrator: any 5xx, any response that breaks its own declared schema or status codes, and
any schema-breaking request accepted fails the run.

Fixed seed, bounded examples (the examples, coverage and fuzzing phases; about a minute a
caller, three in all, on two shared cores), so a run is reproducible: the failing case is
printed with a curl line.
Performance is not checked here (benchmarks are `make bench`).

One operation is left out for signed-in callers, because it cannot be fuzzed without ending the
run: POST /auth/logout revokes the caller's own token, after which every request is a 401 and
tests nothing. The anonymous run still fuzzes it. The bid uploads stay in: the fuzzer's bodies
are small, and the 512 MiB limit is tested on its own (tests/api/test_api_limits.py).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.fuzz.conftest import FuzzTarget

SEED = 20261124
EXAMPLES = 10  # per operation in the fuzzing phase; the coverage phase adds its boundary cases
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "negative_data_rejection")
# 413 is how a body over the limit is rejected; schemathesis' default list does not know it.
CONFIG = """
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 409, 413, 422]
"""
SIGNED_IN_EXCLUDED = ("/api/v1/auth/logout",)


def fuzz(target: FuzzTarget, who: str) -> subprocess.CompletedProcess[str]:
    config = target.work / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
               f"{target.base}/openapi.json", "--seed", str(SEED), "-n", str(EXAMPLES),
               "--phases", "examples,coverage,fuzzing", "--checks", ",".join(CHECKS),
               "--workers", "1", "--generation-database", "none", "--no-color",
               # two shared cores: slowness is the machine's, never a finding here
               "--request-timeout", "60", "--suppress-health-check", "too_slow"]
    if who != "anonymous":
        command += ["-H", f"Authorization: Bearer {target.tokens[who]}"]
        for path in SIGNED_IN_EXCLUDED:
            command += ["--exclude-path", path]
    return subprocess.run(command, cwd=target.work, capture_output=True, text=True,
                          timeout=900, check=False)


def report(run: subprocess.CompletedProcess[str]) -> str:
    """The end of the run's output, each line cut short (a fuzzed body can be megabytes)."""
    lines = (run.stdout + run.stderr).splitlines()[-200:]
    return "\n".join(line if len(line) <= 300 else line[:300] + " …" for line in lines)


@pytest.mark.parametrize("who", ["anonymous", "staff", "admin"])
def test_the_api_holds_to_its_openapi_under_fuzzing(fuzz_target: FuzzTarget, who: str) -> None:
    run = fuzz(fuzz_target, who)
    assert run.returncode == 0, report(run)
    assert " passed" in run.stdout and "Seed: " + str(SEED) in run.stdout, report(run)
