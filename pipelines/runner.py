"""Materializing hubmine's assets in-process (what the CLI does), with a clear error when a step fails."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines import config
from pipelines.assets import crawl
from pipelines.assets.crawl import (
    hub_listing,
    hub_spaces,
    parent_aliases,
    repo_details,
    warehouse_tables,
)
from pipelines.crawl.progress import Progress
from pipelines.crawl.session import SHARDS, shard_key
from pipelines.crawl.state import summarize_missing
from pipelines.errors import CrawlIncomplete, RunFailed, one_line, user_message
from pipelines.instance import instance_for
from pipelines.resources import HubmineHome, HubResource, ProgressResource
from warehouse.paths import warehouse_path
from warehouse.query import run_query

CRAWL_ASSETS = dg.load_assets_from_modules([crawl])
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_failed(result: dg.ExecuteInProcessResult) -> RunFailed:
    """The first failed step's error as one line; raises KeyboardInterrupt if the run was interrupted."""
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            step, err = event.step_key, event.step_failure_data.error
            while err is not None and err.cause is not None and "Error occurred while executing" in err.message:
                err = err.cause
            if err is None:
                return RunFailed(f"{step}: failed", step=step)
            if err.cls_name == "DagsterExecutionInterruptedError":
                raise KeyboardInterrupt
            # an error of pipelines.errors carries a message meant for the user; anything else names its step
            message = user_message(err.cls_name or "", err.message) or f"{step}: {one_line(err.message)}"
            return RunFailed(message, step=step)
    return RunFailed("run failed")


def materialize(
    assets, selection, home: Path, resources: dict, run_config: dict | None = None, tags: dict | None = None
) -> dg.ExecuteInProcessResult:
    with instance_for(home) as instance:
        result = dg.materialize(
            assets,
            selection=selection,
            resources={"progress": ProgressResource(), **resources},
            instance=instance,
            run_config={**QUIET, **(run_config or {})},
            tags=tags,
            raise_on_error=False,
        )
    if not result.success:
        raise run_failed(result)
    return result


def materialize_crawl(
    home: Path,
    hub: HubResource,
    *,
    mode: config.CrawlMode = "full",
    author: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    repo_config: dict | None = None,
    history: str | None = None,
) -> dg.ExecuteInProcessResult:
    """One Dagster run: listing, parent-id lookups, all shards (one partition range), spaces and the load."""
    selection = [hub_listing, parent_aliases, warehouse_tables] + ([repo_details, hub_spaces] if mode == "full" else [])
    tags = (
        {
            "dagster/asset_partition_range_start": shard_key(0),
            "dagster/asset_partition_range_end": shard_key(SHARDS - 1),
        }
        if mode == "full"
        else None
    )
    ops = {
        "hub_listing": {
            "config": {"mode": mode, "author": author, "search": search, "limit": limit, "history": history or "auto"}
        }
    }
    if mode == "full" and repo_config:
        ops["repo_details"] = {"config": repo_config}
    return materialize(
        CRAWL_ASSETS,
        selection_keys(selection),
        home,
        {"hub": hub, "home": HubmineHome(path=str(home)), "progress": ProgressResource(progress)},
        {"ops": ops},
        tags,
    )


def crawl_outcome(home: Path, result: dg.ExecuteInProcessResult) -> dict:
    """The `crawls` row of the crawl a run finished; raises CrawlIncomplete if it is still partial."""
    event = next(
        e
        for e in result.get_asset_materialization_events()
        if e.step_materialization_data.materialization.asset_key == dg.AssetKey("crawls")
    )
    crawl_id = event.step_materialization_data.materialization.metadata["crawl_id"].value
    cols, rows = run_query(warehouse_path(home), "SELECT * FROM crawls WHERE crawl_id = ?", [crawl_id])
    row = dict(zip(cols, rows[0], strict=True))
    if row["status"] != "finished":
        raise CrawlIncomplete(str(crawl_id), row["status"], summarize_missing(row["missing"] or []))
    return row


def selection_keys(assets) -> list[dg.AssetKey]:
    keys = []
    for a in assets:
        keys.extend(a.keys)
    return keys


def materialize_analyses(home: Path, assets) -> dg.ExecuteInProcessResult:
    """One Dagster run of analysis assets over the current warehouse (crawl assets only as upstream)."""
    return materialize(
        [*CRAWL_ASSETS, *assets],
        selection_keys(assets),
        home,
        {"home": HubmineHome(path=str(home)), "hub": HubResource()},
    )


def materialize_weights(
    home: Path, hub: HubResource, budget_gb: float = config.WEIGHTS_BUDGET_GB, max_pairs: int = config.WEIGHTS_MAX_PAIRS
):
    """The weight checks: sample pairs within the budget, read them by byte ranges, judge them, find relatives."""
    from pipelines.assets import weights  # imports torch: only the weight checks pay for it

    weight_assets = dg.load_assets_from_modules([weights])
    return materialize(
        [*CRAWL_ASSETS, *weight_assets],
        selection_keys(weight_assets),
        home,
        {"home": HubmineHome(path=str(home)), "hub": hub},
        {
            "ops": {
                op: {"config": {"budget_gb": budget_gb, "max_pairs": max_pairs}}
                for op in ("weight_sample", "weight_checks")
            }
        },
    )
