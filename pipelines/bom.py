"""One model's bill of materials from the warehouse, as `hubmine bom` writes it and the explorer serves it."""

from __future__ import annotations

import duckdb

from analyses.bom.export import FORMATS, Written, render
from pipelines.errors import NotInWarehouse
from warehouse.family import Resolved, resolve_model_id
from warehouse.results import latest_crawl

BOM_FORMATS: tuple[str, ...] = tuple(FORMATS)  # CycloneDX first: the default of `hubmine bom` and the explorer's


def model_bom(con: duckdb.DuckDBPyConnection, name: str, fmt: str = BOM_FORMATS[0]) -> tuple[Resolved, Written]:
    """The BOM, for the latest crawl, of the model `name` means (an earlier id or another letter case is resolved
    as `hubmine family` resolves it), with how it was resolved. NoCrawl without a finished crawl; NotInWarehouse
    for an unknown id, or one crawled models declare as a base but no crawl listed."""
    crawl = latest_crawl(con)
    resolved = resolve_model_id(con, name)
    if not con.execute("SELECT 1 FROM models WHERE model_id = ?", [resolved.model_id]).fetchall():
        raise NotInWarehouse(
            f"{resolved.model_id} is declared as a base by crawled models but no crawl listed it: "
            "crawl it (`hubmine crawl --search ...`) to write its BOM"
        )
    return resolved, render(con, resolved.model_id, fmt, crawl)
