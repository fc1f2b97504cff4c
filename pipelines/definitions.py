"""Dagster definitions of hubmine (`dagster dev` from the repo root loads these)."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.crawl import CRAWL_ASSETS
from pipelines.assets.lineage import LINEAGE_ASSETS
from pipelines.assets.reuse import REUSE_ASSETS
from pipelines.assets.site import dashboard_site
from pipelines.assets.versioning import VERSIONING_ASSETS
from pipelines.assets.weights import WEIGHT_ASSETS
from pipelines.automation import crawl_job, daily_crawl, refresh_after_crawl, refresh_job
from pipelines.resources import HubmineHome, HubResource, ProgressResource

RESOURCES = {"hub": HubResource(), "home": HubmineHome(), "progress": ProgressResource()}
ANALYSIS_ASSETS = [*LINEAGE_ASSETS, *VERSIONING_ASSETS, *REUSE_ASSETS]
WEIGHT_ANALYSIS = [*WEIGHT_ASSETS]

defs = dg.Definitions(
    assets=[*CRAWL_ASSETS, *ANALYSIS_ASSETS, *WEIGHT_ANALYSIS, dashboard_site],
    jobs=[crawl_job, refresh_job],
    schedules=[daily_crawl],
    sensors=[refresh_after_crawl],
    resources=RESOURCES,
)
