"""Read-only access to the warehouse for ad-hoc SQL (`hubmine sql`) and for reports.

Connections are read-only and have external access off (no COPY TO, ATTACH, INSTALL or reading other
files), with the configuration locked so a query cannot turn it back on.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import time
import uuid
from pathlib import Path

import duckdb

from pipelines.config import OUTPUT_FORMATS, OutputFormat
from pipelines.errors import WarehouseBusy, WarehouseMissing
from warehouse.lake import schema_tables
from warehouse.load import connect


def _schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    return {*schema_tables(), "latest_crawl"} <= have


def connect_readonly(path: Path, wait_s: float = 10.0, upgraded: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.exists():
        raise WarehouseMissing(path)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(str(path), read_only=True)
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower():
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(path) from None
            time.sleep(0.25)
    if not upgraded and not _schema_current(con):
        # a warehouse written by an older hubmine: add what this version's DDL creates (additive: new tables,
        # columns and views, IF NOT EXISTS), then open it read-only again
        con.close()
        connect(path).close()
        return connect_readonly(path, wait_s, upgraded=True)
    try:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except duckdb.InvalidInputException:
        # another connection of this process to the same file (a server answering requests in parallel) locked
        # the shared configuration already: it must be the locked-down one
        if con.execute("SELECT current_setting('enable_external_access')").fetchall()[0][0] is not False:
            con.close()
            raise
    return con


def table_counts(path: Path, tables) -> dict[str, int]:
    con = connect_readonly(path)
    try:
        existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables if t in existing}
    finally:
        con.close()


def run_query(path: Path, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    con = connect_readonly(path)
    try:
        cur = con.execute(sql, params or None)
        if cur.description is None:
            return [], []
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()
    finally:
        con.close()


def _jsonable(v):
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, dt.timedelta):
        return v.total_seconds()
    return str(v)


def format_rows(cols: list[str], rows: list[tuple], fmt: OutputFormat, max_width: int = 60) -> str:
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            if len(r) == 1 and r[0] is None:  # NULL is an empty field, as DuckDB writes it (csv would quote it)
                buf.write("\n")
                continue
            w.writerow(
                [
                    "" if v is None else (json.dumps(v, default=_jsonable) if isinstance(v, (list, dict)) else v)
                    for v in r
                ]
            )
        return buf.getvalue()
    if fmt == "json":
        return (
            json.dumps([dict(zip(cols, r, strict=True)) for r in rows], default=_jsonable, ensure_ascii=False, indent=1)
            + "\n"
        )
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r} ({', '.join(OUTPUT_FORMATS)})")

    def cell(v) -> str:
        s = "NULL" if v is None else str(v)
        s = s.replace("\n", "\\n")
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    cells = [[cell(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)), line]
    out += [" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
