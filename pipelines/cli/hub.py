"""`hubmine hub serve|synth|evolve`: the offline replay hub, synthetic hubs and their next versions."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from pipelines.cli.options import (
    access_log_option,
    command,
    default_option,
    force_option,
    listen_options,
    seed_option,
    verb_group,
)
from pipelines.replay.limits import FaultInjector, parse_faults, parse_rate_limits
from pipelines.replay.server import ReplayHub
from pipelines.replay.store import open_snapshots
from pipelines.replay.synth.evolve import Shares, evolve
from pipelines.replay.synth.generator import generate


def cmd_hub_serve(args) -> int:
    store = open_snapshots([Path(s) for s in args.snapshot], Path(args.workdir) if args.workdir else None)
    faults = FaultInjector(
        parse_faults(args.faults),
        seed=args.fault_seed,
        stall_s=args.stall,
        retry_after_s=args.retry_after,
        paths=args.fault_paths,
    )
    hub = ReplayHub(
        store,
        rate_limits=parse_rate_limits(args.rate_limit),
        faults=faults,
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        git_cache=args.git_cache,
    )
    counts = store.counts()
    print(
        f"replay hub: {counts['models']} models, {counts['spaces']} spaces ({store.meta('kind', 'unknown')}) "
        f"at {hub.url}",
        flush=True,
    )
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        hub.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        hub.httpd.server_close()
        hub.git.close()
    return 0


def cmd_hub_synth(args) -> int:
    out = Path(args.out)
    if (out / "hub.sqlite").exists() and not args.force:
        print(f"hubmine: error: {out} already holds a snapshot (use --force to replace it)", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    last = [0.0]

    def progress(done, total):
        if time.monotonic() - last[0] > 5:
            last[0] = time.monotonic()
            print(f"  {done:,}/{total:,} models", file=sys.stderr, flush=True)

    manifest = generate(out, args.models, args.seed, args.checkpoints, progress)
    print(
        f"synthetic hub: {manifest['models']:,} models, {manifest['families']:,} families, {manifest['spaces']:,} "
        f"spaces, {manifest['checkpoint_models']} with checkpoints -> {out} ({time.monotonic() - t0:.1f}s); "
        f"ground truth in {out / 'truth'}"
    )
    return 0


def cmd_hub_evolve(args) -> int:
    src, out = Path(args.snapshot), Path(args.out)
    if src.resolve() == out.resolve():
        print(
            "hubmine: error: --out must differ from --snapshot (the snapshot is read, never changed)", file=sys.stderr
        )
        return 2
    if ((out / "hub.sqlite").exists() or (out / "models.jsonl").exists()) and not args.force:
        print(f"hubmine: error: {out} already holds a snapshot (use --force to replace it)", file=sys.stderr)
        return 2
    shares = Shares(args.commits, args.renames, args.removals, args.license_changes)
    t0 = time.monotonic()
    counts = evolve(src, out, shares, args.seed)
    print(
        f"evolved {src} -> {out} ({time.monotonic() - t0:.1f}s): {counts['commit']} repos gained a commit, "
        f"{counts['rename']} renamed, {counts['removal']} removed, {counts['license']} relicensed; "
        f"what changed is in {out / 'truth' / 'changes.parquet'}"
    )
    return 0


def register(sub) -> None:
    hs = verb_group(
        sub,
        "hub",
        "Serve snapshot directories over the HF REST API on loopback, or generate "
        "synthetic snapshots with known ground truth.",
    )
    s = command(
        hs,
        "serve",
        "serve snapshot directories as an HF-compatible hub",
        "Serve one or more snapshot directories (their union) as an HF-compatible REST API "
        "that an unmodified huggingface_hub client can use.",
        cmd_hub_serve,
    )
    s.add_argument("--snapshot", action="append", required=True, help="snapshot directory (repeatable)")
    listen_options(s, 0, "port (default: a free one, printed on start)")
    s.add_argument(
        "--rate-limit", help='HF-style limits, e.g. "api=500/300,resolvers=3000/300,git=1000/300" (quota/window s)'
    )
    default_option(s, "--git-cache", 256, "bare repositories kept built for git requests")
    s.add_argument("--faults", help='fault injection, e.g. "5xx=0.1,429=0.05,truncate=0.02,reset=0.01,timeout=0.01"')
    default_option(s, "--fault-seed", 0, "seed of the fault draws")
    s.add_argument("--fault-paths", help="only inject faults on paths matching this regex (e.g. /refs$)")
    s.add_argument("--stall", type=float, default=5.0, help="seconds a `timeout` fault stalls (default 5)")
    default_option(s, "--retry-after", 1, "Retry-After of injected 429s")
    s.add_argument("--workdir", help="where to build the merged store of several snapshots (default: a temp dir)")
    access_log_option(s)
    y = command(
        hs,
        "synth",
        "generate a synthetic hub snapshot with ground truth",
        "Generate a deterministic synthetic hub (families, lineage, licenses, cards, "
        "commits, refs, spaces, CO2 facts, tiny safetensors checkpoints) calibrated to "
        "published figures, with its ground truth under OUT/truth.",
        cmd_hub_synth,
    )
    y.add_argument("--models", type=int, required=True, help="number of models (100 to 1,000,000+)")
    seed_option(y)
    y.add_argument("--out", required=True, help="output directory")
    y.add_argument("--checkpoints", type=int, help="models that get real tiny checkpoints (default ~4%%, max 160)")
    force_option(y)
    _register_evolve(hs)


def _register_evolve(hub_sub) -> None:
    e = command(
        hub_sub,
        "evolve",
        "write the next version of a snapshot: commits, renames, removals, relicensing",
        "Write the next version of a snapshot directory (a synthetic hub.sqlite or a plain models.jsonl "
        "layout) to OUT: a share of repos gains a commit (new sha, lastModified and history), is renamed "
        "(same _id; the old id redirects), is removed, or is relicensed by a commit to its card. The "
        "chosen repos do not overlap; OUT/truth/changes.parquet records exactly what changed. The "
        "snapshot itself is never modified.",
        cmd_hub_evolve,
        epilog="example: hubmine hub evolve --snapshot /tmp/hub --out /tmp/hub-next --commits 0.01 --renames 0.001",
    )
    e.add_argument("--snapshot", required=True, help="snapshot directory to start from")
    e.add_argument("--out", required=True, help="directory for the next version")
    default_option(e, "--commits", 0.01, "share of repos that gain one commit")
    e.add_argument("--renames", type=float, default=0.0, help="share of repos renamed (default 0)")
    e.add_argument("--removals", type=float, default=0.0, help="share of repos removed (default 0)")
    e.add_argument(
        "--license-changes",
        type=float,
        default=0.0,
        help="share of repos whose card license changes by a commit (default 0)",
    )
    seed_option(e)
    force_option(e)
