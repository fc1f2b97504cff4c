"""Materializing hubmine's assets in-process (what the CLI does), with a clear error when a step fails."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.assets.crawl import (
    CRAWL_ASSETS,
    hub_listing,
    hub_spaces,
    parent_aliases,
    repo_details,
    set_progress,
    warehouse_tables,
)
from pipelines.crawl.progress import Progress
from pipelines.crawl.session import SHARDS, shard_key
from pipelines.instance import instance_for
from pipelines.resources import HubmineHome, HubResource

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


class RunFailed(RuntimeError):
    pass


def failure_message(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            err = event.step_failure_data.error
            while err is not None and err.cause is not None and "Error occurred while executing" in err.message:
                err = err.cause
            return f"{event.step_key}: {err.message.strip() if err else 'failed'}"
    return "run failed"


def materialize(assets, selection, home: Path, resources: dict, run_config: dict | None = None,
                tags: dict | None = None) -> dg.ExecuteInProcessResult:
    result = dg.materialize(assets, selection=selection, resources=resources, instance=instance_for(home),
                            run_config={**QUIET, **(run_config or {})}, tags=tags, raise_on_error=False)
    if not result.success:
        raise RunFailed(failure_message(result))
    return result


def materialize_crawl(home: Path, hub: HubResource, *, mode: str = "full", author: str | None = None,
                      search: str | None = None, limit: int | None = None, progress: Progress | None = None,
                      repo_config: dict | None = None) -> dg.ExecuteInProcessResult:
    """One Dagster run: listing, parent-id lookups, all shards (one partition range), spaces and the load."""
    selection = [hub_listing, parent_aliases, warehouse_tables] + ([repo_details, hub_spaces] if mode == "full" else [])
    tags = {"dagster/asset_partition_range_start": shard_key(0),
            "dagster/asset_partition_range_end": shard_key(SHARDS - 1)} if mode == "full" else None
    ops = {"hub_listing": {"config": {"mode": mode, "author": author, "search": search, "limit": limit}}}
    if mode == "full" and repo_config:
        ops["repo_details"] = {"config": repo_config}
    set_progress(progress)
    try:
        return materialize(CRAWL_ASSETS, selection_keys(selection),
                           home, {"hub": hub, "home": HubmineHome(path=str(home))}, {"ops": ops}, tags)
    finally:
        set_progress(None)


def selection_keys(assets) -> list[dg.AssetKey]:
    keys = []
    for a in assets:
        keys.extend(a.keys)
    return keys


def materialize_analyses(home: Path, assets) -> dg.ExecuteInProcessResult:
    """One Dagster run of analysis assets over the current warehouse (crawl assets only as upstream)."""
    return materialize([*CRAWL_ASSETS, *assets], selection_keys(assets), home,
                       {"home": HubmineHome(path=str(home)), "hub": HubResource()})


def materialize_weights(home: Path, hub: HubResource, budget_gb: float = 2.0, max_pairs: int = 200):
    """The weight checks: sample pairs within the budget, download their safetensors, diff them."""
    from pipelines.assets.weights import WEIGHT_ASSETS

    return materialize([*CRAWL_ASSETS, *WEIGHT_ASSETS], selection_keys(WEIGHT_ASSETS), home,
                       {"home": HubmineHome(path=str(home)), "hub": hub},
                       {"ops": {"weight_sample": {"config": {"budget_gb": budget_gb, "max_pairs": max_pairs}}}})
