"""The dashboard site as an asset, refreshed after every crawl's analyses."""

import dagster as dg

from dashboards.site import build_site
from pipelines.resources import HubmineHome
from warehouse.paths import dashboards_dir

RESULT_TABLES = ("family_stats", "license_transitions", "license_violations", "license_coverage", "trait_similarity",
                 "drift_summary", "naming_conventions", "variant_types", "commit_categories", "versioning_summary",
                 "bn_edges", "bn_cpds", "reuse_stats", "downloads_lorenz", "space_org_usage", "collaboration_stats",
                 "energy_reporting", "energy_hardware", "energy_profile")


@dg.asset(group_name="dashboards", deps=list(RESULT_TABLES), kinds={"html", "plotly"})
def dashboard_site(home: HubmineHome) -> dg.MaterializeResult:
    """Static plotly site (one page per area) under <data>/dashboards; works offline."""
    out = dashboards_dir(home.home)
    pages = build_site(home.warehouse, out)
    return dg.MaterializeResult(metadata={"pages": len(pages), "index": dg.MetadataValue.path(str(out / "index.html"))})
