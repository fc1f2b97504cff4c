"""Helpers shared by analysis assets: read the warehouse, write result tables, describe them in metadata."""

from contextlib import contextmanager

import dagster as dg
import polars as pl

from pipelines.errors import NoCrawl
from pipelines.resources import HubmineHome
from warehouse.results import Inputs, write_results

PREVIEW_ROWS = 10


def core(*tables: str) -> list[dg.AssetKey]:
    """Asset keys of warehouse tables an analysis reads."""
    return [dg.AssetKey(t) for t in tables]


@contextmanager
def warehouse_inputs(home: HubmineHome):
    try:
        with Inputs(home.warehouse) as inputs:
            yield inputs
    except NoCrawl as e:
        raise dg.Failure(str(e)) from None


def preview(frame: pl.DataFrame) -> dg.MetadataValue:
    head = frame.head(PREVIEW_ROWS).with_columns(pl.col(pl.List(pl.String)).list.join(", "))
    cols = head.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in head.iter_rows():
        cells = ["" if v is None else str(v).replace("|", "\\|").replace("\n", " ")[:80] for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def publish(home: HubmineHome, crawl_id: str, tables: dict[str, pl.DataFrame], extra: dict | None = None):
    """Write result tables for a crawl and yield one MaterializeResult per table."""
    write_results(home.warehouse, crawl_id, tables)
    for name, frame in tables.items():
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={
                "crawl_id": crawl_id,
                "rows": dg.MetadataValue.int(frame.height),
                "preview": preview(frame),
                **(extra or {}).get(name, {}),
            },
        )


def result_specs(group: str, descriptions: dict[str, str], deps) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(name, group_name=group, deps=deps, description=desc, kinds={"duckdb", "polars"})
        for name, desc in descriptions.items()
    ]
