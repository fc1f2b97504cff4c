"""Named queries of the dashboard (dashboards/queries/, one query per file), run read-only against the warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from warehouse.lake import crawl_tables, schema_tables
from warehouse.results import named_sql

QUERIES = Path(__file__).parent / "queries"


def result_tables_read() -> tuple[str, ...]:
    """The analysis result tables the dashboard's queries read (crawl tables left out), in DDL order."""
    sql = "\n".join(named_sql(p.stem, QUERIES) for p in sorted(QUERIES.glob("*.sql")))
    named = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", sql, re.I))
    return tuple(t for t in schema_tables() if t in named and t not in crawl_tables())


class Data:
    def __init__(self, con: duckdb.DuckDBPyConnection, crawl_id: str, families: int = 30):
        self.con, self.params = con, {"crawl": crawl_id, "families": families}

    def rows(self, name: str) -> tuple[list[str], list[tuple]]:
        sql = named_sql(name, QUERIES)
        params = {k: v for k, v in self.params.items() if f"${k}" in sql}
        try:
            cur = self.con.execute(sql, params)
        except duckdb.CatalogException:
            return [], []  # a result table this warehouse does not have yet
        return [d[0] for d in cur.description], cur.fetchall()

    def dicts(self, name: str) -> list[dict]:
        cols, rows = self.rows(name)
        return [dict(zip(cols, r, strict=True)) for r in rows]
