"""The explorer on a large warehouse: search latency and a model page's data latency over HTTP, p50/p95.

    python -m bench.explorer [--models 1000000] [--dir /tmp/hubmine-bench] [--samples 60]

Builds (once, cached in --dir) a synthetic hub of --models models and a metadata-only crawl of it, starts
`hubmine serve` on that warehouse and times, through real HTTP: search (`/api/models?q=`, prefixes and substrings
of sampled ids) and everything a model page fetches (`/api/models/ID`, `/family`, `/graph`, `/api/features`, one
after the other) for sampled models and for the parents with the most direct children.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.e2e import HM, Hub, ensure_snapshot, timed
from bench.machine import describe


def ensure_warehouse(base: Path, n: int) -> Path:
    """A metadata-only crawl of the synthetic hub of n models, made once."""
    home = base / f"home-{n}-metadata"
    if (home / "warehouse.duckdb").exists() and (home / "explorer-ready").exists():
        return home
    snap = ensure_snapshot(base, n)
    hub = Hub(snap, base / f"store-{n}")
    try:
        spent = timed([*HM, "crawl", "--endpoint", hub.url, "--metadata-only", "--no-progress"],
                      {**os.environ, "HUBMINE_HOME": str(home)}, base / f"crawl-{n}.log")
    finally:
        hub.close()
    print(f"crawled {n:,} models in {spent['seconds']:.0f}s", flush=True)
    (home / "explorer-ready").touch()
    return home


def samples(home: Path, k: int, seed: int) -> tuple[list[str], list[str]]:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT model_id FROM models ORDER BY model_id").fetchall()]
        hubs = [r[0] for r in con.execute("""SELECT coalesce(resolved_parent_id, parent_id) AS p FROM lineage_edges
                                             GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5""").fetchall()]
    finally:
        con.close()
    return random.Random(seed).sample(ids, k), hubs


def get_ms(url: str) -> float:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as r:
        json.loads(r.read())
    return 1000 * (time.perf_counter() - t0)


def page_ms(base: str, model_id: str) -> float:
    path = "/api/models/" + urllib.parse.quote(model_id, safe="/")
    return sum(get_ms(base + p) for p in (path, path + "/family", path + "/graph", "/api/features"))


def pct(xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=20) if len(xs) > 1 else xs * 19
    return f"p50 {statistics.median(xs):.0f} ms, p95 {q[18]:.0f} ms (n={len(xs)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/hubmine-bench")
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    home = ensure_warehouse(base, args.models)
    models, hubs = samples(home, args.samples, args.seed)
    rng = random.Random(args.seed)
    names = [m.split("/")[-1] for m in models]
    queries = [n[: rng.randint(3, 8)] for n in names[::2]] + [n[len(n) // 3: len(n) // 3 + 5] for n in names[1::2]]
    proc = subprocess.Popen([*HM, "serve", "--port", "0"], env={**os.environ, "HUBMINE_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = proc.stdout.readline().split(" at ", 1)[1].split()[0].rstrip("/")
        get_ms(url + "/api/models?q=warm")  # first request pays the imports, not the query
        search = [get_ms(f"{url}/api/models?" + urllib.parse.urlencode({"q": q})) for q in queries]
        pages = [page_ms(url, m) for m in models]
        big = [page_ms(url, m) for m in hubs]
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"explorer on {args.models:,} models ({home / 'warehouse.duckdb'}), over HTTP on loopback")
    print(f"  search /api/models?q= : {pct(search)}  (target < 200 ms)")
    print(f"  model page data       : {pct(pages)}  (target < 500 ms; model, family, graph, features)")
    print(f"  pages of the {len(hubs)} parents with the most children: {pct(big)}")
    print(f"  machine: {describe()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
