"""Faults: crawl a synthetic hub cleanly and again through 10% 5xx, 5% 429 (with Retry-After), 2% truncated
bodies and 1% timeouts; the content must be the same, with retries bounded and counted.

    python -m bench.faults [--models 10000] [--dir /tmp/hubmine-bench]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.e2e import HM, crawl_row, ensure_snapshot
from bench.machine import describe
from warehouse.content import content, differences

FAULTS = "5xx=0.1,429=0.05,truncate=0.02,timeout=0.01"


class FaultyHub:
    def __init__(self, snapshot: Path, workdir: Path, faults: str | None):
        cmd = [*HM, "hub", "serve", "--snapshot", str(snapshot), "--workdir", str(workdir)]
        if faults:
            cmd += ["--faults", faults, "--stall", "4", "--retry-after", "1"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.url = line.rsplit(" at ", 1)[1].strip()

    def close(self):
        self.proc.terminate()
        self.proc.wait(30)


def run(snap: Path, base: Path, name: str, faults: str | None) -> tuple[Path, float]:
    home = base / f"faults-{name}"
    shutil.rmtree(home, ignore_errors=True)
    hub = FaultyHub(snap, base / "faults-store", faults)
    try:
        t0 = time.monotonic()
        subprocess.run(
            [*HM, "crawl", "--endpoint", hub.url, "--no-progress", "--timeout", "2", "--max-retries", "8"],
            env={**os.environ, "HUBMINE_HOME": str(home)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return home, time.monotonic() - t0
    finally:
        hub.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=int, default=10_000)
    ap.add_argument("--dir", default=os.environ.get("HUBMINE_BENCH_DIR", "/tmp/hubmine-bench"))
    args = ap.parse_args()
    base = Path(args.dir)
    print(f"machine: {describe()}", flush=True)
    snap = ensure_snapshot(base, args.models)
    clean, t_clean = run(snap, base, "clean", None)
    faulty, t_faulty = run(snap, base, "faulty", FAULTS)
    a, b = crawl_row(clean), crawl_row(faulty)
    print(
        f"clean: {t_clean:.0f}s, {a['api_requests']:,} api + {a['resolver_requests']:,} resolver requests, "
        f"{a['retries']} retries, {a['errors']} quarantined"
    )
    print(
        f"with {FAULTS}: {t_faulty:.0f}s, {b['api_requests']:,} api + {b['resolver_requests']:,} resolver requests, "
        f"{b['retries']} retries "
        f"({b['retries'] / max(1, b['api_requests'] + b['resolver_requests']):.1%} of requests), "
        f"{b['errors']} quarantined"
    )
    diff = differences(content(clean), content(faulty))
    for table, why in diff.items():
        print(f"DIFFERENT {table}: {why}")
    print("same content as the clean crawl" if not diff else "content differs")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
