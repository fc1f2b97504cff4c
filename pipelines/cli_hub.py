"""`hubmine hub evolve`: the next version of a snapshot, for incremental crawls and upstream-change studies."""

from __future__ import annotations

import sys
import time
from pathlib import Path


def cmd_hub_evolve(args) -> int:
    from pipelines.replay.synth.evolve import Shares, evolve

    src, out = Path(args.snapshot), Path(args.out)
    if src.resolve() == out.resolve():
        print("hubmine: error: --out must differ from --snapshot (the snapshot is read, never changed)",
              file=sys.stderr)
        return 2
    if ((out / "hub.sqlite").exists() or (out / "models.jsonl").exists()) and not args.force:
        print(f"hubmine: error: {out} already holds a snapshot (use --force to replace it)", file=sys.stderr)
        return 2
    shares = Shares(args.commits, args.renames, args.removals, args.license_changes)
    t0 = time.monotonic()
    counts = evolve(src, out, shares, args.seed)
    print(f"evolved {src} -> {out} ({time.monotonic() - t0:.1f}s): {counts['commit']} repos gained a commit, "
          f"{counts['rename']} renamed, {counts['removal']} removed, {counts['license']} relicensed; "
          f"what changed is in {out / 'truth' / 'changes.parquet'}")
    return 0


def register(hub_sub) -> None:
    """Add `evolve` to the `hub` verb's subcommands."""
    e = hub_sub.add_parser(
        "evolve", help="write the next version of a snapshot: commits, renames, removals, relicensing",
        description="Write the next version of a snapshot directory (a synthetic hub.sqlite or a plain models.jsonl "
                    "layout) to OUT: a share of repos gains a commit (new sha, lastModified and history), is renamed "
                    "(same _id; the old id redirects), is removed, or is relicensed by a commit to its card. The "
                    "chosen repos do not overlap; OUT/truth/changes.parquet records exactly what changed. The "
                    "snapshot itself is never modified.",
        epilog="example: hubmine hub evolve --snapshot /tmp/hub --out /tmp/hub-next --commits 0.01 --renames 0.001")
    e.add_argument("--snapshot", required=True, help="snapshot directory to start from")
    e.add_argument("--out", required=True, help="directory for the next version")
    e.add_argument("--commits", type=float, default=0.01, help="share of repos that gain one commit (default 0.01)")
    e.add_argument("--renames", type=float, default=0.0, help="share of repos renamed (default 0)")
    e.add_argument("--removals", type=float, default=0.0, help="share of repos removed (default 0)")
    e.add_argument("--license-changes", type=float, default=0.0,
                   help="share of repos whose card license changes by a commit (default 0)")
    e.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    e.add_argument("--force", action="store_true", help="replace a snapshot already in OUT")
    e.set_defaults(func=cmd_hub_evolve)
