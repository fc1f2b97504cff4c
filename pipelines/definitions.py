"""Dagster definitions of hubmine (`dagster dev` from the repo root loads these)."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.crawl import CRAWL_ASSETS
from pipelines.resources import HubmineHome, HubResource

RESOURCES = {"hub": HubResource(), "home": HubmineHome()}

defs = dg.Definitions(assets=[*CRAWL_ASSETS], resources=RESOURCES)
