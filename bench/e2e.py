"""End to end on synthetic hubs: generate, serve, crawl (metadata-only listing), analyse, build dashboards;
per stage the wall time, peak memory and request counts, the growth ratio t(1M)/t(100k), and the crawl
time HF's published rate limits would impose for the requests measured.

    python -m bench.e2e [--sizes 10000,100000,1000000] [--full-at 10000] [--dir /tmp/hubmine-bench]

Synthetic hubs are cached in --dir (generation is reported once). Only loopback addresses are used.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.machine import describe

HM = [sys.executable, "-m", "pipelines.cli"]
# requests per 5-minute window (docs/published_figures.md, "Hub mechanics"): anonymous and free-user API and
# resolver quotas
LIMITS = {
    "anonymous": {"api": 500, "resolvers": 3000},
    "free user": {"api": 1000, "resolvers": 5000},
    "PRO": {"api": 2500, "resolvers": 5000},
}


def timed(cmd: list[str], env: dict, log: Path) -> dict:
    """Run a stage under /usr/bin/time; wall seconds and peak RSS (MiB) of the whole stage."""
    stats = log.with_suffix(".time")
    t0 = time.monotonic()
    with open(log, "w") as out:
        rc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *cmd], env=env, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    if rc != 0:
        raise SystemExit(f"stage failed ({rc}): {' '.join(cmd)}; see {log}")
    wall, rss = stats.read_text().split()[-2:]
    return {"seconds": float(wall) if wall else time.monotonic() - t0, "peak_rss_mb": int(rss) / 1024}


def current(snap: Path) -> bool:
    """Whether a cached snapshot was written by this generator version (older ones lack real git ids)."""
    from pipelines.replay.synth.generator import GENERATOR_VERSION

    manifest = snap / "SNAPSHOT.json"
    return (
        (snap / "hub.sqlite").exists()
        and manifest.exists()
        and json.loads(manifest.read_text()).get("generator_version") == GENERATOR_VERSION
    )


def ensure_snapshot(base: Path, n: int) -> Path:
    """The synthetic hub of n models (seed 1) under base, generated once."""
    snap = base / f"synth-{n}"
    if not current(snap):
        subprocess.run(
            [*HM, "hub", "synth", "--models", str(n), "--seed", "1", "--out", str(snap), "--force"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return snap


class Hub:
    def __init__(self, snapshot: Path, workdir: Path):
        self.proc = subprocess.Popen(
            [*HM, "hub", "serve", "--snapshot", str(snapshot), "--workdir", str(workdir)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.proc.stdout.readline()
        if " at http://127.0.0.1:" not in line:
            self.proc.kill()
            raise SystemExit(f"replay hub did not start: {line}")
        self.url = line.rsplit(" at ", 1)[1].strip()

    def close(self):
        self.proc.terminate()
        self.proc.wait(30)


def crawl_row(home: Path) -> dict:
    out = subprocess.run(
        [*HM, "sql", "--format", "json", "SELECT * FROM latest_crawl"],
        env={**os.environ, "HUBMINE_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)[0]


def projection(api: int, resolvers: int) -> str:
    parts = []
    for who, q in LIMITS.items():
        windows = max(api / q["api"], resolvers / q["resolvers"])
        parts.append(f"{who} " + ("within one 5-min window" if windows <= 1 else f"{windows * 5:.0f} min"))
    return ", ".join(parts)


def run_size(n: int, base: Path, mode: str) -> dict:
    snap = base / f"synth-{n}"
    res: dict = {"models": n, "mode": mode}
    env = {**os.environ}
    if not current(snap):
        res["generate"] = timed(
            [*HM, "hub", "synth", "--models", str(n), "--seed", "1", "--out", str(snap), "--force"],
            env,
            base / f"synth-{n}.log",
        )
    home = base / f"home-{n}-{mode}"
    shutil.rmtree(home, ignore_errors=True)
    env["HUBMINE_HOME"] = str(home)
    hub = Hub(snap, base / f"store-{n}")
    try:
        res["crawl"] = timed(
            [*HM, "crawl", "--endpoint", hub.url, "--no-progress"]
            + (["--metadata-only"] if mode == "metadata" else []),
            env,
            base / f"crawl-{n}.log",
        )
    finally:
        hub.close()
    row = crawl_row(home)
    res["requests"] = {"api": row["api_requests"], "resolvers": row["resolver_requests"], "retries": row["retries"]}
    res["analyze"] = timed([*HM, "analyze"], env, base / f"analyze-{n}.log")
    res["dashboards"] = timed([*HM, "dashboards"], env, base / f"dashboards-{n}.log")
    res["pipeline_seconds"] = sum(res[s]["seconds"] for s in ("crawl", "analyze", "dashboards"))
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--full-at", type=int, default=10000, help="also crawl this size in full (per-repo work)")
    ap.add_argument("--history", default="git,api", help="history modes of the full crawl (and its re-crawl)")
    ap.add_argument(
        "--recrawl-commits",
        type=float,
        default=0.01,
        help="share of repos that gain a commit (hub evolve) before the re-crawl",
    )
    ap.add_argument("--dir", default=os.environ.get("HUBMINE_BENCH_DIR", "/tmp/hubmine-bench"))
    args = ap.parse_args()
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    print(f"machine: {describe()}", flush=True)
    results = []
    runs = [(int(s), "metadata") for s in args.sizes.split(",") if s]
    for n, mode in runs:
        r = run_size(n, base, mode)
        results.append(r)
        stages = " | ".join(
            f"{s} {r[s]['seconds']:.1f}s {r[s]['peak_rss_mb']:.0f} MiB"
            for s in ("generate", "crawl", "analyze", "dashboards")
            if s in r
        )
        q = r["requests"]
        print(
            f"{n:>9,} models ({mode}): {stages} | requests api {q['api']:,} resolvers {q['resolvers']:,} "
            f"retries {q['retries']} | under HF limits: {projection(q['api'], q['resolvers'])}",
            flush=True,
        )
    meta = {r["models"]: r for r in results if r["mode"] == "metadata"}
    if 1_000_000 in meta and 100_000 in meta:
        big, small = meta[1_000_000], meta[100_000]
        print(
            f"growth t(1M)/t(100k): crawl {big['crawl']['seconds'] / small['crawl']['seconds']:.1f}x, "
            f"crawl+analyses+dashboards {big['pipeline_seconds'] / small['pipeline_seconds']:.1f}x"
        )
    if args.full_at:
        from bench.history import run_history

        results += run_history(args.full_at, base, [m for m in args.history.split(",") if m], args.recrawl_commits)
    (base / "e2e.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
