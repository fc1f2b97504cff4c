"""Crash safety at scale: a full crawl of a 50k-model synthetic hub SIGKILLed (the whole process group, as a
machine crash would) at 20 random moments and resumed each time, then compared row by row with an
uninterrupted crawl of the same hub.

    python -m bench.kill_resume [--models 50000] [--kills 20] [--seed 5] [--dir /tmp/hubmine-bench]
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import HM, ensure_snapshot, env_for, fresh, parser, replay_hub, start
from warehouse.content import content, differences


def crawl(home: Path, url: str) -> subprocess.Popen:
    """A full crawl in its own process group (killed whole, as a machine crash would)."""
    return subprocess.Popen(
        [*HM, "crawl", "--endpoint", url, "--no-progress"],
        env=env_for(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> int:
    ap = parser(__doc__)
    ap.add_argument("--models", type=int, default=50_000, help="synthetic hub size (default 50000)")
    ap.add_argument("--kills", type=int, default=20, help="SIGKILLs before the crawl may finish (default 20)")
    ap.add_argument("--seed", type=int, default=5, help="seed of the kill moments (default 5)")
    args = ap.parse_args()
    base = start(args)
    snap = ensure_snapshot(base, args.models)
    rng = random.Random(args.seed)
    with replay_hub(snap, base) as hub:
        clean, killed = fresh(base / "kill-clean"), fresh(base / "kill-killed")
        t0 = time.monotonic()
        rc = crawl(clean, hub.url).wait()
        t_clean = time.monotonic() - t0
        assert rc == 0, "uninterrupted crawl failed"
        print(f"uninterrupted full crawl of {args.models:,} models: {t_clean:.0f}s", flush=True)
        finished_early = 0
        for i in range(args.kills):
            p = crawl(killed, hub.url)
            at = rng.uniform(0.5, min(60.0, max(1.0, t_clean / 3)))
            try:
                p.wait(at)
                finished_early += 1
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
            print(f"  kill {i + 1:>2}/{args.kills} at {at:.1f}s", flush=True)
        t0 = time.monotonic()
        rc = crawl(killed, hub.url).wait()
        assert rc == 0, "resumed crawl failed"
        print(f"resumed to the end in {time.monotonic() - t0:.0f}s ({finished_early} runs ended before their kill)")
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
