"""What the benches share: the `hubmine` command line, their common arguments, cached synthetic hubs, a replay
hub in a child process, a stage timed with its peak memory, the crawls table's figures, and HF's published rate
limits. Bench entry points import this module (and bench.machine), never one another.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from bench.machine import describe
from pipelines.hubprocess import ReplayProcess
from pipelines.replay.synth.generator import GENERATOR_VERSION

HM = [sys.executable, "-m", "pipelines.cli"]
# requests per 5-minute window (docs/published_figures.md, "Hub mechanics"): anonymous and free-user API and
# resolver quotas
LIMITS = {
    "anonymous": {"api": 500, "resolvers": 3000},
    "free user": {"api": 1000, "resolvers": 5000},
    "PRO": {"api": 2500, "resolvers": 5000},
}


# -- arguments -------------------------------------------------------------------------------------------
def parser(doc: str | None, bench_dir: bool = True) -> argparse.ArgumentParser:
    """A bench's argument parser, its module docstring as help; --dir (cached hubs and homes) unless told."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    if bench_dir:
        ap.add_argument(
            "--dir",
            default=os.environ.get("HUBMINE_BENCH_DIR", "/tmp/hubmine-bench"),
            help="where synthetic hubs, stores and homes are kept between runs (default: $HUBMINE_BENCH_DIR or "
            "%(default)s)",
        )
    return ap


def start(args: argparse.Namespace) -> Path:
    """Say what the bench runs on (its first line), and make --dir."""
    print(f"machine: {describe()}", flush=True)
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    return base


def env_for(home: Path) -> dict[str, str]:
    return {**os.environ, "HUBMINE_HOME": str(home)}


# -- stages ----------------------------------------------------------------------------------------------
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
    manifest = snap / "SNAPSHOT.json"
    return (
        (snap / "hub.sqlite").exists()
        and manifest.exists()
        and json.loads(manifest.read_text()).get("generator_version") == GENERATOR_VERSION
    )


def snapshot_path(base: Path, n: int) -> Path:
    return base / f"synth-{n}"


def synthesize(base: Path, n: int) -> dict | None:
    """Generate the synthetic hub of n models (seed 1) under base unless it is cached: the stage's figures, or
    None when the cached one was kept."""
    snap = snapshot_path(base, n)
    if current(snap):
        return None
    cmd = [*HM, "hub", "synth", "--models", str(n), "--seed", "1", "--out", str(snap), "--force"]
    return timed(cmd, {**os.environ}, base / f"synth-{n}.log")


def ensure_snapshot(base: Path, n: int) -> Path:
    """The synthetic hub of n models (seed 1) under base, generated once."""
    synthesize(base, n)
    return snapshot_path(base, n)


def replay_hub(snapshot: Path, base: Path, *flags: str) -> ReplayProcess:
    """`hubmine hub serve` of one snapshot (its merged store cached under base), with extra flags (faults)."""
    return ReplayProcess([snapshot], base / f"store-{snapshot.name}", extra=list(flags))


def crawl_stage(snapshot: Path, base: Path, home: Path, log: Path, *flags: str, hub_flags: tuple = ()) -> dict:
    """`hubmine crawl` of the snapshot, served for the crawl alone, into home (kept: a crawl resumes or
    increments what is there): wall seconds and peak RSS."""
    with replay_hub(snapshot, base, *hub_flags) as hub:
        return timed([*HM, "crawl", "--endpoint", hub.url, "--no-progress", *flags], env_for(home), log)


def fresh(home: Path) -> Path:
    shutil.rmtree(home, ignore_errors=True)
    return home


def crawl_row(home: Path) -> dict:
    """The latest crawl's row of the crawls table (requests, retries, errors), through `hubmine sql`."""
    out = subprocess.run(
        [*HM, "sql", "--format", "json", "SELECT * FROM latest_crawl"],
        env=env_for(home),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)[0]


# -- HF's published limits -------------------------------------------------------------------------------
def windows(requests: Mapping[str, float], quotas: Mapping[str, int]) -> float:
    """5-minute windows the requests need at the given per-bucket quotas."""
    return max(requests.get(b, 0) / q for b, q in quotas.items())


def duration(minutes: float) -> str:
    if minutes <= 5:
        return "within one 5-min window"
    if minutes < 60:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h" if minutes < 60 * 48 else f"{minutes / 60 / 24:.1f} days"
