"""What checking a bid package costs at the opening: ``read_package`` (every entry inflated and
hashed against the manifest) on a package of incompressible documents, beside the raw baseline
of hashing the same bytes once with SHA-256. The check reads each entry once, so it should stay
within a small factor of the baseline; figures only, never asserted.

Run: ``.venv/bin/python -m tests.bench.bench_bid_package`` (sizes in MiB via BENCH_PACKAGE_MB).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from pathlib import Path

from core.sealing.package import build_package, read_package
from tests.bench.results import Results

SECTION, BIDDER = "E3501000001000001001001", "91350100MA2YB0017X"


def _best(run: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    total_mb = int(os.environ.get("BENCH_PACKAGE_MB", "64"))
    with tempfile.TemporaryDirectory() as tmp, Results("bid_package") as results:
        folder = Path(tmp)
        docs = []
        for i in range(4):  # four documents of a quarter each, random (PDFs barely compress)
            path = folder / f"doc{i}.pdf"
            with path.open("wb") as out:
                for _ in range(total_mb // 4):
                    out.write(secrets.token_bytes(1 << 20))
            docs.append(path)
        package = folder / "bid.zip"
        with package.open("wb") as dst:
            opened = [(p.name, p.open("rb")) for p in docs]
            start = time.perf_counter()
            build_package(dst, SECTION, BIDDER, opened, {"price": "40100000.00"})
            built = time.perf_counter() - start
            for _, stream in opened:
                stream.close()

        def hash_once() -> None:
            with package.open("rb") as f:
                digest = hashlib.sha256()
                while block := f.read(1 << 20):
                    digest.update(block)

        def check() -> None:
            with package.open("rb") as f:
                read_package(f, SECTION, BIDDER)

        baseline = _best(hash_once)
        checked = _best(check)
        size = package.stat().st_size / (1 << 20)
        results.context.update(package_mib=round(size, 1), documents=len(docs))
        for figure in (
            results.record("read_package (check every digest)", checked, "s", baseline=baseline,
                           baseline_name="sha256 of the package bytes once"),
            results.record("build_package", built, "s", baseline=baseline,
                           baseline_name="sha256 of the package bytes once"),
        ):
            print(f"{figure.name}: {figure.value:.3f} s for {size:.0f} MiB "
                  f"({size / figure.value:.0f} MiB/s); baseline {figure.baseline_name}: "
                  f"{baseline:.3f} s; ratio {figure.ratio:.2f}")
    print(f"written: {results.bench}")


if __name__ == "__main__":
    main()
