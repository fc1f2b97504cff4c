"""BOMs of a warehouse: sizes of a few real models' BOMs, and the time to write a BOM of every model through the
`boms` asset (CycloneDX and SPDX), on the demo warehouse ($HUBMINE_HOME, default ./data; run `make demo` first).

    python -m bench.bom [--models ID ...] [--formats cyclonedx spdx]
"""

from __future__ import annotations

import json
import time

import dagster as dg

from analyses.bom.export import render
from bench.harness import parser
from bench.machine import describe
from pipelines.assets.governance import boms
from pipelines.instance import instance_for
from pipelines.resources import HubmineHome
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import connect_readonly
from warehouse.results import latest_crawl

REAL = ("Minbyul/meditron-7b-dpo-full-sft-wo-live_qa", "epfl-llm/meditron-7b", "meta-llama/Llama-2-7b")


def sizes(home, models) -> None:
    con = connect_readonly(warehouse_path(home))
    try:
        crawl = latest_crawl(con)
        for mid in models:
            for fmt in ("cyclonedx", "spdx"):
                w = render(con, mid, fmt, crawl)
                extra = ""
                if fmt == "cyclonedx":
                    comp = json.loads(w.text)["metadata"]["component"]
                    nested = len(comp.get("pedigree", {}).get("ancestors", [])) + len(comp.get("components", []))
                    extra = f", {nested} nested components"
                print(f"  {mid:<48} {fmt:<9} {w.summary()}{extra}")
    finally:
        con.close()


def write_all(home, fmt: str) -> None:
    t0 = time.perf_counter()
    with instance_for(home) as instance:
        result = dg.materialize(
            [boms],
            resources={"home": HubmineHome(path=str(home))},
            instance=instance,
            run_config={"ops": {"boms": {"config": {"select": "all", "format": fmt}}}},
        )
    seconds = time.perf_counter() - t0
    meta = result.asset_materializations_for_node("boms")[0].metadata
    n, size = meta["count"].value, meta["bytes"].value
    assert isinstance(n, int) and isinstance(size, int), "the boms asset reports counts as integers"
    print(
        f"  {fmt:<9} {n:,} BOMs ({meta['failures'].value} failed) in {seconds:.1f}s ({n / seconds:.0f}/s, asset "
        f"step {meta['seconds'].value}s), {size / 2**20:.1f} MiB, largest "
        f"{meta['largest_bytes'].value:,} bytes -> {meta['directory'].value}"
    )


def main() -> int:
    ap = parser(__doc__, bench_dir=False)
    ap.add_argument("--models", nargs="*", default=list(REAL), help="models whose BOM sizes are printed")
    ap.add_argument("--formats", nargs="*", default=["cyclonedx", "spdx"], choices=["cyclonedx", "spdx"])
    args = ap.parse_args()
    home = data_dir()
    print(f"machine: {describe()}")
    print(f"warehouse: {warehouse_path(home)}")
    print("BOM sizes:")
    sizes(home, args.models)
    print("a BOM of every model (boms asset, select=all):")
    for fmt in args.formats:
        write_all(home, fmt)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
