"""Scheduled crawls and the refresh that follows them.

A daily schedule runs the crawl (listing, every shard of per-repo work, spaces, warehouse load); a sensor
watches the `crawls` table asset and, after each new crawl, runs the analyses and rebuilds the dashboards.
"""

import dagster as dg

from pipelines.crawl.session import SHARDS, shard_key

CRAWL_SELECTION = dg.AssetSelection.groups("crawl", "warehouse")
ANALYSES_SELECTION = (dg.AssetSelection.groups("lineage", "versioning", "reuse_energy", "dashboards")
                      | dg.AssetSelection.assets("upstream_changes"))

crawl_job = dg.define_asset_job("crawl_hub", selection=CRAWL_SELECTION,
                                description="Crawl the hub into the warehouse (incremental; resumes a killed crawl)")
refresh_job = dg.define_asset_job("refresh_analyses", selection=ANALYSES_SELECTION,
                                  description="Recompute every analysis table, upstream changes and the dashboards")

@dg.schedule(name="daily_crawl", job=crawl_job, cron_schedule="0 3 * * *",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def daily_crawl(context: dg.ScheduleEvaluationContext):
    """Crawl every day at 03:00, all shards in one run (turn it on in the UI or with `dagster schedule start`)."""
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat() if context.scheduled_execution_time
                         else None,
                         tags={"dagster/asset_partition_range_start": shard_key(0),
                               "dagster/asset_partition_range_end": shard_key(SHARDS - 1)})


@dg.asset_sensor(asset_key=dg.AssetKey("crawls"), job=refresh_job, minimum_interval_seconds=60,
                 default_status=dg.DefaultSensorStatus.RUNNING)
def refresh_after_crawl(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    """After the warehouse loads a crawl, refresh analyses and dashboards for it (a partial crawl loads nothing)."""
    metadata = asset_event.asset_materialization.metadata if asset_event.asset_materialization else {}
    status = metadata.get("status")
    crawl_id = metadata.get("crawl_id")
    if status is not None and status.value != "finished":
        yield dg.SkipReason(f"crawl {crawl_id.value if crawl_id else '?'} is {status.value}: nothing new was loaded")
        return
    key = crawl_id.value if crawl_id is not None else asset_event.run_id
    yield dg.RunRequest(run_key=f"refresh-{key}", tags={"hubmine/crawl_id": str(key)})
