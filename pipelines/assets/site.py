"""The dashboard site as an asset, refreshed after every crawl's analyses."""

import dagster as dg

from dashboards.data_access import result_tables_read
from dashboards.site import build_site
from pipelines.resources import HubmineHome
from warehouse.paths import dashboards_dir

RESULT_TABLES = result_tables_read()


@dg.asset(group_name="dashboards", deps=list(RESULT_TABLES), kinds={"html", "plotly"})
def dashboard_site(home: HubmineHome) -> dg.MaterializeResult:
    """Static plotly site (one page per area) under <data>/dashboards; works offline."""
    out = dashboards_dir(home.home)
    pages = build_site(home.warehouse, out)
    return dg.MaterializeResult(metadata={"pages": len(pages), "index": dg.MetadataValue.path(str(out / "index.html"))})
