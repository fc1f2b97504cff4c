"""Dagster definitions of hubmine (`dagster dev` from the repo root loads these)."""

from __future__ import annotations

import dagster as dg

import pipelines.assets
from pipelines.assets import governance, lineage, reuse, versioning
from pipelines.automation import crawl_job, daily_crawl, refresh_after_crawl, refresh_job
from pipelines.resources import HubmineHome, HubResource, ProgressResource

RESOURCES = {"hub": HubResource(), "home": HubmineHome(), "progress": ProgressResource()}
# what `hubmine analyze` runs (the boms asset is run on its own: its selection is configured)
ANALYSIS_ASSETS = [*dg.load_assets_from_modules([lineage, versioning, reuse]), *governance.GOVERNANCE_ASSETS]

defs = dg.Definitions(
    assets=dg.load_assets_from_package_module(pipelines.assets),  # every asset of every module under assets/
    jobs=[crawl_job, refresh_job],
    schedules=[daily_crawl],
    sensors=[refresh_after_crawl],
    resources=RESOURCES,
)
