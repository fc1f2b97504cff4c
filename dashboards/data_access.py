"""Named queries of the dashboard (queries.sql), run read-only against the warehouse."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import duckdb

QUERIES = Path(__file__).parent / "queries.sql"


@lru_cache(maxsize=8)
def named_queries(path: Path) -> dict[str, str]:
    """The queries of one .sql file, each after a `-- name: NAME` line."""
    out: dict[str, str] = {}
    name: str | None = None
    buf: list[str] = []
    for line in Path(path).read_text().splitlines():
        m = re.match(r"--\s*name:\s*(\w+)", line)
        if m:
            if name:
                out[name] = "\n".join(buf).strip().rstrip(";")
            name, buf = m.group(1), []
        else:
            buf.append(line)
    if name:
        out[name] = "\n".join(buf).strip().rstrip(";")
    return out


def queries() -> dict[str, str]:
    return named_queries(QUERIES)


def result_tables_read() -> tuple[str, ...]:
    """The analysis result tables the dashboard's queries read (crawl tables left out), in DDL order."""
    from warehouse.lake import crawl_tables, schema_tables

    named = set(re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", "\n".join(queries().values()), re.I))
    return tuple(t for t in schema_tables() if t in named and t not in crawl_tables())


class Data:
    def __init__(self, con: duckdb.DuckDBPyConnection, crawl_id: str, families: int = 30):
        self.con, self.params = con, {"crawl": crawl_id, "families": families}

    def rows(self, name: str) -> tuple[list[str], list[tuple]]:
        sql = queries()[name]
        params = {k: v for k, v in self.params.items() if f"${k}" in sql}
        try:
            cur = self.con.execute(sql, params)
        except duckdb.CatalogException:
            return [], []  # a result table this warehouse does not have yet
        return [d[0] for d in cur.description], cur.fetchall()

    def dicts(self, name: str) -> list[dict]:
        cols, rows = self.rows(name)
        return [dict(zip(cols, r, strict=True)) for r in rows]
