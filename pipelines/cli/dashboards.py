"""`hubmine dashboards`: the static dashboard site, rendered from the warehouse's result tables."""

from __future__ import annotations

from pathlib import Path

from dashboards.site import build_site
from pipelines.cli.options import verb
from warehouse.paths import dashboards_dir, data_dir, warehouse_path


def cmd_dashboards(args) -> int:
    out = Path(args.out) if args.out else dashboards_dir(data_dir())
    pages = build_site(warehouse_path(data_dir()), out)
    print(f"dashboards: {len(pages)} pages in {out}; open {pages[0]} or run `hubmine serve`")
    return 0


def register(sub) -> None:
    d = verb(
        sub,
        "dashboards",
        "Render plotly dashboards (overview, families, licenses, versioning & commits, "
        "Bayesian network, reuse, energy, weights) from the result tables into a static "
        "site under $HUBMINE_HOME/dashboards (works offline: plotly.js is local).",
        cmd_dashboards,
    )
    d.add_argument("--out", help="output directory (default: <data>/dashboards)")
