"""Faults: crawl a synthetic hub cleanly and again through 10% 5xx, 5% 429 (with Retry-After), 2% truncated
bodies and 1% timeouts; the content must be the same, with retries bounded and counted.

    python -m bench.faults [--models 10000] [--dir /tmp/hubmine-bench]
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness import crawl_row, crawl_stage, ensure_snapshot, fresh, parser, start
from warehouse.content import content, differences

FAULTS = "5xx=0.1,429=0.05,truncate=0.02,timeout=0.01"


def run(snap: Path, base: Path, name: str, faults: str | None) -> tuple[Path, float]:
    """A full crawl into a fresh home, through a hub that injects `faults` (none: a clean hub)."""
    home = fresh(base / f"faults-{name}")
    hub_flags = ("--faults", faults, "--stall", "4", "--retry-after", "1") if faults else ()
    flags = ("--timeout", "2", "--max-retries", "8")
    stage = crawl_stage(snap, base, home, base / f"faults-{name}.log", *flags, hub_flags=hub_flags)
    return home, stage["seconds"]


def requests(row: dict) -> str:
    return f"{row['api_requests']:,} api + {row['resolver_requests']:,} resolver + {row['git_requests']:,} git requests"


def main() -> int:
    ap = parser(__doc__)
    ap.add_argument("--models", type=int, default=10_000, help="synthetic hub size (default 10000)")
    args = ap.parse_args()
    base = start(args)
    snap = ensure_snapshot(base, args.models)
    clean, t_clean = run(snap, base, "clean", None)
    faulty, t_faulty = run(snap, base, "faulty", FAULTS)
    a, b = crawl_row(clean), crawl_row(faulty)
    print(f"clean: {t_clean:.0f}s, {requests(a)}, {a['retries']} retries, {a['errors']} quarantined")
    print(
        f"with {FAULTS}: {t_faulty:.0f}s, {requests(b)}, {b['retries']} retries "
        f"({b['retries'] / max(1, b['api_requests'] + b['resolver_requests'] + b['git_requests']):.1%} of requests), "
        f"{b['errors']} quarantined"
    )
    diff = differences(content(clean), content(faulty))
    for table, why in diff.items():
        print(f"DIFFERENT {table}: {why}")
    print("same content as the clean crawl" if not diff else "content differs")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
