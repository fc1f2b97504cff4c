"""The Dagster definitions without a crawl: jobs, the daily schedule, the refresh sensor and its partial-crawl skip."""

from __future__ import annotations

import datetime

import dagster as dg

from pipelines.automation import daily_crawl, refresh_after_crawl
from pipelines.definitions import defs


def test_dagster_definitions_schedule_and_refresh_sensor():
    repo = defs.get_repository_def()
    assert {"crawl_hub", "refresh_analyses"} <= {j.name for j in repo.get_all_jobs()}
    assert repo.has_schedule_def("daily_crawl") and repo.has_sensor_def("refresh_after_crawl")
    req = daily_crawl.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2026, 1, 1, 3))
    ).run_requests[0]
    assert req.tags["dagster/asset_partition_range_end"] == "15"
    refresh = defs.resolve_job_def("refresh_analyses")
    keys = {k.to_user_string() for k in refresh.asset_layer.executable_asset_keys}
    assert {"family_stats", "license_violations", "bn_edges", "reuse_stats", "dashboard_site"} <= keys
    assert refresh_after_crawl.asset_key == dg.AssetKey("crawls")


def test_refresh_sensor_skips_a_partial_crawl():
    instance = dg.DagsterInstance.ephemeral()

    def crawled(status: str) -> dg.AssetMaterialization:
        return dg.AssetMaterialization("crawls", metadata={"crawl_id": "c1", "status": status})

    instance.report_runless_asset_event(crawled("partial"))
    tick = refresh_after_crawl.evaluate_tick(dg.build_sensor_context(instance=instance, definitions=defs))
    assert tick.run_requests == [] and "partial" in tick.skip_message
    instance.report_runless_asset_event(crawled("finished"))
    tick = refresh_after_crawl.evaluate_tick(dg.build_sensor_context(instance=instance, definitions=defs))
    assert [r.run_key for r in tick.run_requests] == ["refresh-c1"]
