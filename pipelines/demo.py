"""`hubmine demo`: the real sample plus a small synthetic hub, served on loopback and crawled offline."""

from __future__ import annotations

import sys
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from dashboards.site import build_site
from pipelines.crawl.progress import Progress
from pipelines.definitions import ANALYSIS_ASSETS
from pipelines.hubprocess import ReplayProcess
from pipelines.replay.synth.generator import generate
from pipelines.resources import HubResource
from pipelines.runner import materialize_analyses, materialize_crawl, materialize_weights
from warehouse.paths import dashboards_dir, warehouse_path
from warehouse.query import run_query

REAL_SAMPLE = Path(__file__).resolve().parent / "replay" / "real-sample"


def synthetic_snapshot(home: Path, models: int, seed: int) -> Path:
    out = home / "demo-hub" / f"synthetic-{models}-seed{seed}"
    if not (out / "hub.sqlite").exists():
        print(f"generating a synthetic hub of {models} models (seed {seed}) ...", file=sys.stderr)
        generate(out, models, seed)
    return out


def run_demo(
    home: Path,
    models: int = 2000,
    seed: int = 42,
    port: int = 0,
    progress: AbstractContextManager[Progress | None] | None = None,
) -> int:
    """Serve, crawl, analyse, check weights, build the dashboards; `progress` shows the crawl going (the CLI
    passes bars or log lines)."""
    home.mkdir(parents=True, exist_ok=True)
    synth = synthetic_snapshot(home, models, seed)
    t0 = time.monotonic()
    with ReplayProcess([REAL_SAMPLE, synth], home / "demo-hub" / "store", port) as hub:
        print(f"{hub.banner}\ncrawling it into {warehouse_path(home)} ...", file=sys.stderr)
        with progress or nullcontext() as bars:
            materialize_crawl(home, HubResource(endpoint=hub.url), mode="full", progress=bars)
        print("running the analyses ...", file=sys.stderr)
        materialize_analyses(home, ANALYSIS_ASSETS)
        print("checking sampled lineage from the weights ...", file=sys.stderr)
        materialize_weights(home, HubResource(endpoint=hub.url), budget_gb=0.5, max_pairs=60)
    pages = build_site(warehouse_path(home), dashboards_dir(home))
    cols, rows = run_query(
        warehouse_path(home),
        """
        SELECT count(*) FILTER (WHERE NOT synthetic), count(*) FILTER (WHERE synthetic),
               (SELECT count(*) FROM lineage_edges), (SELECT count(*) FROM commits), (SELECT count(*) FROM crawl_errors
                WHERE crawl_id = (SELECT crawl_id FROM latest_crawl))
        FROM models""",
    )
    real, synthetic, edges, commits, errors = rows[0]
    print(f"\ndemo finished in {time.monotonic() - t0:.0f}s")
    print(f"warehouse: {warehouse_path(home)}")
    print(
        f"  {real} real sample models, {synthetic} synthetic models (tagged `synthetic`), {edges} lineage edges, "
        f"{commits} commits; {errors} records quarantined in crawl_errors (set aside with a reason, e.g. "
        "malformed card YAML, while the crawl went on)"
    )
    print("  result tables: family_stats, license_transitions, license_violations, trait_similarity, ... (see README)")
    print('try:  .venv/bin/hubmine sql "select license, count(*) n from models group by 1 order by n desc limit 10"')
    print("      .venv/bin/hubmine family meta-llama/Llama-2-7b")
    print(f"dashboards: {pages[0]}  (or `.venv/bin/hubmine serve` and open http://127.0.0.1:8765/)")
    return 0
