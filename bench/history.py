"""Commit history at Hub scale: a full crawl of a synthetic hub in each history mode (git, api), a re-crawl after
`hub evolve` gives a share of repos one commit, and what HF's published rate limits make of a full-Hub history
crawl, beside HFCommunity's published figure (about 54 h for about 680k repos).

The Hub publishes quotas for its API and resolver buckets only; git's smart HTTP is in neither. A git-mode crawl
is therefore projected twice: with git requests outside the published buckets (only the listing counts), and,
as the worst case, with every git request counted against the API quota.

    python -m bench.history [--models 10000] [--history git,api] [--recrawl-commits 0.01] [--dir /tmp/hubmine-bench]
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench.harness import (
    HM,
    LIMITS,
    crawl_row,
    crawl_stage,
    duration,
    ensure_snapshot,
    fresh,
    parser,
    start,
    windows,
)

HUB_MODELS = 1_860_411  # the Anatomy study's snapshot (docs/published_figures.md)
HFCOMMUNITY = {"repos": 680_000, "hours": 54.0}  # a full HFCommunity model crawl (docs/published_figures.md)


def crawl(snap: Path, base: Path, home: Path, mode: str, tag: str) -> dict:
    stage = crawl_stage(snap, base, home, base / f"crawl-{tag}-{mode}.log", "--history", mode)
    row = crawl_row(home)
    return {
        "mode": mode,
        "run": tag,
        "seconds": stage["seconds"],
        "peak_rss_mb": stage["peak_rss_mb"],
        "repos": row["repos_fetched"],
        "incremental": row["repos_incremental"],
        "api": row["api_requests"],
        "resolvers": row["resolver_requests"],
        "git": row["git_requests"],
        "git_bytes": row["git_bytes"],
        "listing": row["listing_requests"],
        "repo_requests": row["repo_requests"],
        "retries": row["retries"],
    }


def evolved(snap: Path, share: float) -> Path:
    out = snap.with_name(f"{snap.name}-evolved-{share}")
    store = out / "hub.sqlite"
    if not store.exists() or store.stat().st_mtime < (snap / "hub.sqlite").stat().st_mtime:
        subprocess.run(
            [
                *HM,
                "hub",
                "evolve",
                "--snapshot",
                str(snap),
                "--out",
                str(out),
                "--commits",
                str(share),
                "--seed",
                "2",
                "--force",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def projection(r: dict) -> str:
    """A full-Hub history crawl at the measured requests per repo, under each published tier."""
    per_api = (r["api"] - r["listing"]) / r["repos"]
    per_res, per_git = r["resolvers"] / r["repos"], r["git"] / r["repos"]
    listing = HUB_MODELS / 1000
    parts = []
    for tier, q in LIMITS.items():
        quotas = {"api": q["api"], "resolvers": q["resolvers"]}
        need = {"api": listing + per_api * HUB_MODELS, "resolvers": per_res * HUB_MODELS}
        text = duration(windows(need, quotas) * 5)
        if per_git:
            worst = {**need, "api": need["api"] + per_git * HUB_MODELS}
            text += f" (git counted as API: {duration(windows(worst, quotas) * 5)})"
        parts.append(f"{tier} {text}")
    return "; ".join(parts)


def full_line(n: int, r: dict) -> str:
    per = r["repos"] or 1
    return (
        f"{n:,} models, history via {r['mode']}: full crawl {r['seconds']:.0f}s "
        f"({r['seconds'] / per * 1000:.0f} ms per repo); per repo {r['repo_requests'] / per:.2f} requests "
        f"(api {(r['api'] - r['listing']) / per:.2f}, resolvers {r['resolvers'] / per:.2f}, "
        f"git {r['git'] / per:.2f}; "
        f"{r['git_bytes'] / per / 1024:.1f} KiB received by git), {r['retries']} retries"
    )


def recrawl_line(r: dict, share: float) -> str:
    per = r["repos"] or 1
    return (
        f"  re-crawl after {share:.0%} of repos gained a commit: {r['repos']} repos changed "
        f"({r['incremental']} read as increments), {r['repo_requests'] / per:.2f} requests per changed repo "
        f"(api {r['api'] - r['listing']}, resolvers {r['resolvers']}, git {r['git']}) + {r['listing']} listing, "
        f"{r['seconds']:.0f}s"
    )


def run_history(n: int, base: Path, modes: list[str], share: float) -> list[dict]:
    snap = ensure_snapshot(base, n)
    nxt = evolved(snap, share)
    results = []
    for mode in modes:
        home = fresh(base / f"home-{n}-history-{mode}")
        full = crawl(snap, base, home, mode, f"{n}-full")
        again = crawl(nxt, base, home, mode, f"{n}-recrawl")
        results += [full, again]
        print(full_line(n, full), flush=True)
        print(recrawl_line(again, share), flush=True)
        print(f"  full-Hub history ({HUB_MODELS:,} models) under HF limits: {projection(full)}", flush=True)
    pace = HFCOMMUNITY["hours"] * 3600 / HFCOMMUNITY["repos"]
    print(
        f"HFCommunity (published): {HFCOMMUNITY['repos']:,} repos in about {HFCOMMUNITY['hours']:.0f} h = "
        f"{pace * 1000:.0f} ms per repo; {HUB_MODELS:,} models at that pace: {pace * HUB_MODELS / 3600:.0f} h",
        flush=True,
    )
    return results


def main() -> int:
    ap = parser(__doc__)
    ap.add_argument("--models", type=int, default=10_000, help="synthetic hub crawled in full (default 10000)")
    ap.add_argument("--history", default="git,api", help="history modes of the full crawl and its re-crawl")
    ap.add_argument(
        "--recrawl-commits",
        type=float,
        default=0.01,
        help="share of repos that gain a commit (hub evolve) before the re-crawl (default 0.01)",
    )
    args = ap.parse_args()
    base = start(args)
    results = run_history(args.models, base, [m for m in args.history.split(",") if m], args.recrawl_commits)
    (base / "history.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
