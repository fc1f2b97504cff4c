"""The explorer on a large warehouse: search latency and a model page's data latency over HTTP, p50/p95.

    python -m bench.explorer [--models 1000000] [--dir /tmp/hubmine-bench] [--samples 60] [--via-crawl]

Builds (once, cached in --dir) a warehouse of --models synthetic models: by default written straight into DuckDB
(ids, downloads, licenses, one crawl's history, and lineage as random recursive trees: family k holds 2k+1
models, so families run from 1 to ~2,000 models and most models sit in large ones), or with --via-crawl from
`hubmine hub synth` and a metadata-only crawl of it (hours at 1M on 2 cores). Then it starts
`hubmine serve` on that warehouse and times, through real HTTP: search (`/api/models?q=`, prefixes and substrings
of sampled ids) and everything a model page fetches (`/api/models/ID`, `/family`, `/graph`, `/api/features`, one
after the other) for sampled models and for the parents with the most direct children.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb

from bench.harness import HM, crawl_stage, ensure_snapshot, env_for, fresh, parser
from bench.machine import describe
from warehouse.load import connect

SYNTHETIC_WAREHOUSE = """
INSERT INTO crawls (crawl_id, endpoint, mode, scope, started_at, finished_at, status, models_seen)
VALUES ('bench', 'http://127.0.0.1:9', 'metadata', '{}', now(), now(), 'finished', $n);
CREATE TEMP TABLE ids AS
SELECT i, 'org' || (i % 5000) || '/model-' || md5(i::VARCHAR)[1:10] || '-' || i AS model_id,
       floor(sqrt(i))::BIGINT AS fam FROM range($n) t(i);
INSERT INTO models (model_id, author, downloads, likes, license, synthetic, crawl_id, first_seen_crawl, pipeline_tag)
SELECT model_id, split_part(model_id, '/', 1), (1e6 * random() ^ 6)::BIGINT, (100 * random() ^ 4)::BIGINT,
       ['apache-2.0', 'mit', 'llama2', 'cc-by-nc-4.0', 'other'][1 + (i % 5)], true, 'bench', 'bench', 'text-generation'
FROM ids;
INSERT INTO model_history (crawl_id, model_id, downloads, license)
SELECT 'bench', model_id, downloads, license FROM models;
INSERT INTO lineage_edges (child_id, parent_id, relation, source, crawl_id, resolved_parent_id)
SELECT c.model_id, p.model_id, ['finetune', 'adapter', 'quantized', 'merge'][1 + (c.i % 4)], 'card', 'bench', p.model_id
FROM ids c JOIN ids p ON p.i = c.fam * c.fam + floor(random() * (c.i - c.fam * c.fam))::BIGINT
WHERE c.i > c.fam * c.fam;
"""


def direct_warehouse(base: Path, n: int) -> Path:
    """A warehouse of n synthetic models written straight into DuckDB (the shape the explorer's queries see)."""
    home = base / f"home-{n}-direct"
    if (home / "explorer-ready").exists():
        return home
    fresh(home)
    t0 = time.monotonic()
    con = connect(home / "warehouse.duckdb")
    try:
        con.execute("BEGIN")
        for stmt in filter(str.strip, SYNTHETIC_WAREHOUSE.split(";")):
            con.execute(stmt, {"n": n} if "$n" in stmt else None)
        con.execute("COMMIT")
    finally:
        con.close()
    print(f"wrote a warehouse of {n:,} synthetic models in {time.monotonic() - t0:.0f}s", flush=True)
    (home / "explorer-ready").touch()
    return home


def ensure_warehouse(base: Path, n: int) -> Path:
    """A metadata-only crawl of the synthetic hub of n models, made once."""
    home = base / f"home-{n}-metadata"
    if (home / "warehouse.duckdb").exists() and (home / "explorer-ready").exists():
        return home
    spent = crawl_stage(ensure_snapshot(base, n), base, home, base / f"crawl-{n}.log", "--metadata-only")
    print(f"crawled {n:,} models in {spent['seconds']:.0f}s", flush=True)
    (home / "explorer-ready").touch()
    return home


def samples(home: Path, k: int, seed: int) -> tuple[list[str], list[str]]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT model_id FROM models ORDER BY model_id").fetchall()]
        hubs = [
            r[0]
            for r in con.execute("""SELECT coalesce(resolved_parent_id, parent_id) AS p FROM lineage_edges
                                             GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 5""").fetchall()
        ]
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
    ap = parser(__doc__)
    ap.add_argument("--models", type=int, default=1_000_000, help="models in the warehouse (default 1000000)")
    ap.add_argument("--samples", type=int, default=60, help="models whose pages are timed (default 60)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the samples (default 7)")
    ap.add_argument("--via-crawl", action="store_true", help="build the warehouse by synth + metadata-only crawl")
    args = ap.parse_args()
    base = Path(args.dir)
    base.mkdir(parents=True, exist_ok=True)
    home = ensure_warehouse(base, args.models) if args.via_crawl else direct_warehouse(base, args.models)
    models, hubs = samples(home, args.samples, args.seed)
    rng = random.Random(args.seed)
    names = [m.split("/")[-1] for m in models]
    queries = [n[: rng.randint(3, 8)] for n in names[::2]] + [n[len(n) // 3 : len(n) // 3 + 5] for n in names[1::2]]
    proc = subprocess.Popen(
        [*HM, "serve", "--port", "0"],
        env=env_for(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
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
