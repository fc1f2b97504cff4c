"""Loading a crawl from the lake into the DuckDB warehouse, in one transaction.

A crash during the load leaves the warehouse as it was (DuckDB rolls the transaction back on the next
open); loading the same crawl twice is a no-op, so a resumed crawl can always just load again.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.lake import ddl_statements, lake_schema, stage_tables, table_files

log = logging.getLogger("hubmine.warehouse")
SQL_DIR = Path(__file__).parent / "sql"
LOAD_SQL = ("load_crawl.sql", "load_aliases.sql")


def sql_statements(name: str) -> list[str]:
    """Statements of a .sql file under warehouse/sql (split on `;` at line ends)."""
    text = (SQL_DIR / name).read_text()
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";\n") if s.strip().rstrip(";")]


def connect(path: Path, retries: int = 20) -> duckdb.DuckDBPyConnection:
    """A writable connection with the schema applied; waits briefly if another process holds the file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(retries):
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or attempt == retries - 1:
                raise
            time.sleep(min(5.0, 0.2 * 2**attempt))
    for ddl in ddl_statements():
        con.execute(ddl)
    return con


def _register_stage(con: duckdb.DuckDBPyConnection, stage: str, dirs: list[Path]) -> None:
    for table in stage_tables(stage):
        name = f"lake_{stage}_{table}"
        files = table_files(dirs, table)
        if files:
            listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet([{listing}], filename = true)"
            )
        else:
            schema = lake_schema(table).append(pa.field("filename", pa.string()))
            con.register(f"{name}_empty", schema.empty_table())
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_empty")


def already_loaded(con: duckdb.DuckDBPyConnection, crawl_id: str) -> bool:
    sql = "SELECT count(*) FROM crawls WHERE crawl_id = ? AND status = 'finished'"
    return con.execute(sql, [crawl_id]).fetchall()[0][0] > 0


CRAWL_COLUMNS = (
    "crawl_id",
    "endpoint",
    "mode",
    "scope",
    "started_at",
    "finished_at",
    "status",
    "runs",
    "api_requests",
    "resolver_requests",
    "listing_requests",
    "repo_requests",
    "retries",
    "models_seen",
    "models_changed",
    "models_new",
    "models_removed",
    "repos_fetched",
    "spaces_seen",
    "errors",
    "missing",
    "history",
    "git_requests",
    "git_bytes",
    "repos_incremental",
    "alias_requests",
)


def _put_crawl_row(con: duckdb.DuckDBPyConnection, values: dict) -> None:
    """Replace the crawl's row; any other partial crawl was abandoned (only one crawl is open at a time)."""
    con.execute("DELETE FROM crawls WHERE crawl_id = ?", [values["crawl_id"]])
    con.execute("UPDATE crawls SET status = 'abandoned' WHERE status = 'partial'")
    cols = [c for c in CRAWL_COLUMNS if c in values]
    con.execute(
        f"INSERT INTO crawls ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", [values[c] for c in cols]
    )


def _identity(session, requests: dict, runs: int) -> dict:
    spec = session.spec
    started = datetime.fromisoformat(session.manifest["started_at"]).astimezone(UTC).replace(tzinfo=None)
    return {
        "crawl_id": session.crawl_id,
        "endpoint": spec.endpoint,
        "mode": spec.mode,
        "scope": json.dumps(spec.scope),
        "started_at": started,
        "runs": runs,
        "api_requests": requests.get("api", 0),
        "resolver_requests": requests.get("resolvers", 0),
        "listing_requests": requests.get("listing", 0),
        "repo_requests": requests.get("repos", 0),
        "retries": requests.get("retries", 0),
        "history": spec.history if spec.mode == "full" else None,
        "git_requests": requests.get("git", 0),
        "git_bytes": requests.get("git_bytes", 0),
        "alias_requests": requests.get("aliases", 0),
    }


def record_partial(warehouse: Path, session, requests: dict, runs: int, missing: list[str]) -> dict:
    """Say in `crawls` that this crawl is not complete and what is missing; no data of it is loaded."""
    con = connect(warehouse)
    try:
        if already_loaded(con, session.crawl_id):
            return crawl_row(con, session.crawl_id)
        listing = session.manifest["stages"].get("listing", {})
        con.execute("BEGIN TRANSACTION")
        _put_crawl_row(
            con,
            {
                **_identity(session, requests, runs),
                "status": "partial",
                "missing": missing,
                "models_seen": listing.get("items"),
            },
        )
        con.execute("COMMIT")
        return crawl_row(con, session.crawl_id)
    finally:
        con.close()


def load_crawl(warehouse: Path, session, requests: dict, runs: int) -> dict:
    """Load a finished crawl session; returns its `crawls` row."""
    con = connect(warehouse)
    try:
        crawl_id = session.crawl_id
        if already_loaded(con, crawl_id):
            return crawl_row(con, crawl_id)
        spec = session.spec
        shard_dirs = sorted(session.repos_dir.glob("shard-*")) if session.repos_dir.exists() else []
        _register_stage(con, "listing", [session.listing_dir])
        _register_stage(con, "repo", shard_dirs)
        _register_stage(con, "spaces", [session.spaces_dir])
        _register_stage(con, "aliases", [session.aliases_dir])
        con.execute("SET VARIABLE crawl_id = ?", [crawl_id])
        con.execute("SET VARIABLE whole_hub = ?", [spec.whole_hub])
        con.execute("SET VARIABLE spaces_listed = ?", [session.stage_done("spaces")])
        t0 = time.monotonic()
        con.execute("BEGIN TRANSACTION")
        try:
            for stmt in (s for name in LOAD_SQL for s in sql_statements(name)):
                con.execute(stmt)
            cur = con.execute(sql_statements("load_counts.sql")[0])
            counts = dict(zip([d[0] for d in cur.description], cur.fetchall()[0], strict=True))
            _put_crawl_row(
                con,
                {
                    **_identity(session, requests, runs),
                    **counts,
                    "status": "finished",
                    "finished_at": datetime.now(UTC).replace(tzinfo=None),
                },
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        log.info("loaded crawl %s in %.1fs", crawl_id, time.monotonic() - t0)
        return crawl_row(con, crawl_id)
    finally:
        con.close()


def crawl_row(con: duckdb.DuckDBPyConnection, crawl_id: str) -> dict:
    cur = con.execute("SELECT * FROM crawls WHERE crawl_id = ?", [crawl_id])
    cols = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return dict(zip(cols, rows[0], strict=True)) if rows else {}
