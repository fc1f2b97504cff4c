"""Crash safety at scale: a full crawl of a 50k-model synthetic hub SIGKILLed (the whole process group, as a
machine crash would) at 20 random moments and resumed each time, then compared row by row with an
uninterrupted crawl of the same hub.

    python -m bench.kill_resume [--models 50000] [--kills 20] [--seed 5] [--dir /tmp/hubmine-bench]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.e2e import HM, Hub, ensure_snapshot
from bench.machine import describe
from warehouse.content import content, differences


def crawl(env: dict, url: str) -> subprocess.Popen:
    return subprocess.Popen(
        [*HM, "crawl", "--endpoint", url, "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=int, default=50_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--dir", default=os.environ.get("HUBMINE_BENCH_DIR", "/tmp/hubmine-bench"))
    args = ap.parse_args()
    base = Path(args.dir)
    print(f"machine: {describe()}", flush=True)
    snap = ensure_snapshot(base, args.models)
    hub = Hub(snap, base / f"store-{args.models}")
    rng = random.Random(args.seed)
    try:
        clean, killed = base / "kill-clean", base / "kill-killed"
        for d in (clean, killed):
            shutil.rmtree(d, ignore_errors=True)
        t0 = time.monotonic()
        rc = crawl({**os.environ, "HUBMINE_HOME": str(clean)}, hub.url).wait()
        t_clean = time.monotonic() - t0
        assert rc == 0, "uninterrupted crawl failed"
        print(f"uninterrupted full crawl of {args.models:,} models: {t_clean:.0f}s", flush=True)
        env = {**os.environ, "HUBMINE_HOME": str(killed)}
        finished_early = 0
        for i in range(args.kills):
            p = crawl(env, hub.url)
            at = rng.uniform(0.5, min(60.0, max(1.0, t_clean / 3)))
            try:
                p.wait(at)
                finished_early += 1
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            print(f"  kill {i + 1:>2}/{args.kills} at {at:.1f}s", flush=True)
        t0 = time.monotonic()
        rc = crawl(env, hub.url).wait()
        assert rc == 0, "resumed crawl failed"
        print(f"resumed to the end in {time.monotonic() - t0:.0f}s ({finished_early} runs ended before their kill)")
    finally:
        hub.close()
    diff = differences(content(clean), content(killed))
    rows = sum(len(v) for v in content(clean).values())
    if diff:
        for table, why in diff.items():
            print(f"DIFFERENT {table}: {why}")
        return 1
    print(f"identical: {rows:,} rows in {len(content(clean))} tables compared row by row after {args.kills} SIGKILLs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
