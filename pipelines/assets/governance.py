"""Governance outputs as assets: bills of materials for a selection of models, and what changed upstream since the
previous crawl (logic in analyses/bom and analyses/upstream_changes.py)."""

import time
from typing import Literal

import dagster as dg

from analyses.upstream_changes import compute
from pipelines.assets.results import core, preview
from pipelines.config import BomFormat
from pipelines.errors import NoCrawl, UsageError
from pipelines.resources import HubmineHome
from warehouse.query import connect_readonly
from warehouse.results import latest_crawl, read_input, write_results

GROUP = "governance"
BOMS_DIR = "boms"


class BomSelection(dg.Config):
    """Which models get a BOM: `violations` (a license violation on one of their edges), `author`, `models`
    (the ids listed) or `all`."""

    select: Literal["violations", "author", "models", "all"] = "violations"
    author: str | None = None
    models: list[str] = []
    format: BomFormat = "cyclonedx"


@dg.asset(
    group_name=GROUP,
    deps=[
        *core("models", "lineage_edges", "licenses", "repo_files", "energy", "model_cards"),
        "license_violations",
        "inferred_edges",
    ],
    kinds={"duckdb", "json"},
)
def boms(context: dg.AssetExecutionContext, config: BomSelection, home: HubmineHome) -> dg.MaterializeResult:
    """CycloneDX 1.6 / SPDX 3.0 bills of materials of the selected models, one file each under <data>/boms/."""
    from analyses.bom.export import write_many  # imported when run: every step process loads these definitions

    if config.select == "author" and not config.author:
        raise dg.Failure("select=author needs `author`")
    out = home.home / BOMS_DIR
    con = connect_readonly(home.warehouse, wait_s=120)
    try:
        crawl = latest_crawl(con)
        chosen = read_input(
            con, "bom_selection", {"select": config.select, "author": config.author, "models": list(config.models)}
        )["model_id"].to_list()
        t0, last = time.monotonic(), [time.monotonic()]

        def progress(done, total):
            if time.monotonic() - last[0] > 5:
                last[0] = time.monotonic()
                context.log.info(f"boms: {done}/{total}")

        done, failed = write_many(con, chosen, out, config.format, crawl, progress)
    except NoCrawl as e:
        raise dg.Failure(str(e)) from None
    finally:
        con.close()
    if chosen and not done:
        raise dg.Failure(f"no BOM could be written ({len(failed)} failed), e.g. {next(iter(failed.items()))}")
    sizes = [w.size for w in done]
    return dg.MaterializeResult(
        metadata={
            "crawl_id": crawl["crawl_id"],
            "selection": config.select,
            "format": config.format,
            "directory": str(out),
            "count": dg.MetadataValue.int(len(done)),
            "failures": dg.MetadataValue.int(len(failed)),
            "failed": dg.MetadataValue.json(dict(list(failed.items())[:20])),
            "bytes": dg.MetadataValue.int(sum(sizes)),
            "largest_bytes": dg.MetadataValue.int(max(sizes, default=0)),
            "seconds": round(time.monotonic() - t0, 2),
        }
    )


@dg.asset(
    group_name=GROUP,
    deps=core("model_history", "lineage_edges", "licenses", "commits", "commit_files"),
    kinds={"duckdb", "polars"},
)
def upstream_changes(home: HubmineHome) -> dg.MaterializeResult:
    """Models whose license, gating, base models, card or sha changed since the previous crawl, with the
    descendants each reaches, worst first."""
    con = connect_readonly(home.warehouse, wait_s=120)
    try:
        latest, old, frame = compute(con)
    except NoCrawl as e:
        raise dg.Failure(str(e)) from None
    except UsageError as e:  # a single crawl: nothing to compare yet
        return dg.MaterializeResult(metadata={"rows": dg.MetadataValue.int(0), "note": str(e)})
    finally:
        con.close()
    write_results(home.warehouse, latest["crawl_id"], {"upstream_changes": frame})
    counts = dict(frame.group_by("severity").len().iter_rows()) if frame.height else {}
    return dg.MaterializeResult(
        metadata={
            "crawl_id": latest["crawl_id"],
            "since_crawl_id": old["crawl_id"],
            "rows": dg.MetadataValue.int(frame.height),
            **counts,
            "preview": preview(frame.drop("affected", "findings")),
        }
    )


GOVERNANCE_ASSETS = [upstream_changes]
