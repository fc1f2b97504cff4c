"""Analyses read their inputs from the warehouse and write result tables back, tagged with a crawl_id.

Inputs are named .sql files under warehouse/sql/inputs; results replace the rows of the same crawl in one
transaction, so an analysis killed half-way leaves the previous results, never half of new ones. Named SQL is kept
one way everywhere (these inputs, the BOM's, the dashboard's, the explorer's): one query per file, named after it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import cast

import duckdb
import polars as pl

from pipelines.errors import NoCrawl
from warehouse.load import connect
from warehouse.query import connect_readonly

INPUTS = Path(__file__).parent / "sql" / "inputs"


def latest_crawl(con: duckdb.DuckDBPyConnection) -> dict:
    cur = con.execute("SELECT * FROM latest_crawl")
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    if not rows:
        raise NoCrawl()
    return dict(zip(cols, rows[0], strict=True))


@cache
def named_sql(name: str, folder: Path = INPUTS) -> str:
    """The query of `<folder>/<name>.sql` (one query per file), read once."""
    return (Path(folder) / f"{name}.sql").read_text().strip()


def read_input(con: duckdb.DuckDBPyConnection, name: str, params: list | dict | None = None) -> pl.DataFrame:
    """One named input query as a polars frame (positional `?` or named `$name` parameters)."""
    return cast(pl.DataFrame, pl.from_arrow(con.sql(named_sql(name), params=params or None).to_arrow_table()))


class Inputs:
    """Read-only view of the warehouse for one analysis run: the latest crawl and named input queries."""

    def __init__(self, warehouse: Path):
        self.warehouse = Path(warehouse)
        self.con = connect_readonly(self.warehouse, wait_s=120)
        self.crawl = latest_crawl(self.con)

    @property
    def crawl_id(self) -> str:
        return self.crawl["crawl_id"]

    @property
    def whole_hub(self) -> bool:
        """Whether the latest crawl listed the whole hub (no author, search or limit)."""
        scope = json.loads(self.crawl.get("scope") or "{}")
        return all(v is None for v in scope.values())

    def frame(self, name: str, params: list | None = None) -> pl.DataFrame:
        return read_input(self.con, name, params)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Inputs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_results(
    warehouse: Path, crawl_id: str, tables: dict[str, pl.DataFrame], keys: dict[str, list[str]] | None = None
) -> dict[str, int]:
    """Replace each table's rows of `crawl_id` with the frame given (columns matched by name), in one
    transaction. A table named in `keys` keeps its earlier rows except those whose key columns match a new
    row: a run that redid a few results, or none, keeps every earlier one it did not redo."""
    keys = keys or {}
    con = connect(Path(warehouse))
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            for name, frame in tables.items():
                _replace(con, name, crawl_id, frame, keys.get(name))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return {name: frame.height for name, frame in tables.items()}


def _replace(
    con: duckdb.DuckDBPyConnection, name: str, crawl_id: str, frame: pl.DataFrame, keys: list[str] | None
) -> None:
    if keys is None:
        con.execute(f'DELETE FROM "{name}" WHERE crawl_id = ?', [crawl_id])
    if not frame.height:
        return
    con.register("_result", frame.with_columns(pl.lit(crawl_id).alias("crawl_id")).to_arrow())
    _add_new_columns(con, name)
    if keys is not None:
        match = " AND ".join(f't."{k}" = r."{k}"' for k in keys)
        con.execute(
            f'DELETE FROM "{name}" t WHERE t.crawl_id = ? AND EXISTS (SELECT 1 FROM _result r WHERE {match})',
            [crawl_id],
        )
    con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM _result')
    con.unregister("_result")


def _add_new_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Columns a newer hubmine computes are added to a warehouse made by an older one (old rows get NULL)."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
        ).fetchall()
    }
    for col, typ in con.execute("SELECT column_name, column_type FROM (DESCRIBE _result)").fetchall():
        if col not in have:
            con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{col}" {typ}')
