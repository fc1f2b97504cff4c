"""Search over model ids from memory: the ids, their lower-case forms and what a hit shows, copied once per
warehouse version into an in-memory DuckDB table, so a query scans lower-case strings instead of lower-casing
every id of the warehouse each time, and never waits on the warehouse file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.config import Scope
from warehouse.results import named_sql

QUERIES = Path(__file__).parent / "queries"  # the explorer's named SQL, one query per file


class SearchIndex:
    """Model ids of one warehouse version in an in-memory DuckDB table; one cursor per query (thread-safe)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._mem = duckdb.connect()
        self._mem.register("ids", con.execute(named_sql("search_ids", QUERIES)).to_arrow_table())
        self._mem.execute("CREATE TABLE search_ids AS SELECT * FROM ids")
        self._mem.unregister("ids")

    def search(self, q: str, scope: Scope, limit: int) -> list[dict]:
        cur = self._mem.cursor()
        try:
            res = cur.execute(named_sql("search", QUERIES), {"q": q, "scope": scope, "limit": limit})
            cols = [d[0] for d in res.description]
            return [dict(zip(cols, r, strict=True)) for r in res.fetchall()]
        finally:
            cur.close()

    def close(self) -> None:
        self._mem.close()
