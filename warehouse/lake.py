"""The Parquet lake: immutable landing units written atomically.

A unit (one listing page, one batch of repos) is a directory of Parquet files, one per table, plus
`_meta.json`. It is written under a temporary name, fsynced and renamed into place, so a crash leaves
either the whole unit or nothing. Lake schemas are derived from the warehouse DDL (warehouse/schema),
so the two cannot drift apart.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_DIR = Path(__file__).parent / "schema"
# lake table -> warehouse columns that the lake does not carry (the load adds them)
WAREHOUSE_ONLY = {"models": ("first_seen_crawl", "crawl_id")}
LAKE_ONLY_SQL = Path(__file__).parent / "sql" / "lake_only.sql"
META = "_meta.json"
DDL_TABLE = re.compile(r"^CREATE TABLE (?:IF NOT EXISTS )?(\w+)", re.M)
CRAWL_TABLE = re.compile(r"^-- crawl: *([\w, ]+)\n\s*CREATE TABLE (?:IF NOT EXISTS )?(\w+)", re.M)


def ddl_statements() -> list[str]:
    return [p.read_text() for p in sorted(SCHEMA_DIR.glob("*.sql"))]


@cache
def _crawl_table_stages() -> dict[str, tuple[str, ...]]:
    """Table -> the crawl stages that land it, from the `-- crawl:` line before its DDL (in DDL order)."""
    texts = [*ddl_statements(), LAKE_ONLY_SQL.read_text()]
    return {m[2]: tuple(s.strip() for s in m[1].split(",")) for text in texts for m in CRAWL_TABLE.finditer(text)}


@cache
def schema_tables() -> tuple[str, ...]:
    """Every table the warehouse DDL creates, in DDL order."""
    return tuple(m[1] for text in ddl_statements() for m in DDL_TABLE.finditer(text))


def crawl_tables() -> tuple[str, ...]:
    """Warehouse tables a crawl writes (its landed tables and those the load derives), in DDL order."""
    lake_only = {m[2] for m in CRAWL_TABLE.finditer(LAKE_ONLY_SQL.read_text())}
    return tuple(t for t in _crawl_table_stages() if t not in lake_only)


def stage_tables(stage: str) -> tuple[str, ...]:
    """Tables the crawl stage `stage` (listing, repo, spaces, aliases) lands in the lake, in DDL order."""
    return tuple(t for t, stages in _crawl_table_stages().items() if stage in stages)


@cache
def lake_schema(table: str) -> pa.Schema:
    con = duckdb.connect()
    for ddl in ddl_statements():
        con.execute(ddl)
    con.execute(LAKE_ONLY_SQL.read_text())
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]
        ).fetchall()
    ]
    if not cols:
        raise KeyError(f"no table {table!r} in the warehouse schema")
    keep = [c for c in cols if c not in WAREHOUSE_ONLY.get(table, ("crawl_id",))]
    schema = con.sql(f"SELECT {', '.join(keep)} FROM {table} LIMIT 0").to_arrow_table().schema
    con.close()
    return pa.schema([pa.field(f.name, f.type) for f in schema])  # plain types, no extension metadata


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, obj) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # shard processes of one crawl may write at once
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync(path.parent)


def publish_unit(unit: Path, tables: dict[str, list[dict]], meta: dict) -> Path:
    """Write every table of a unit and rename the directory into place in one step."""
    unit = Path(unit)
    tmp = unit.with_name(unit.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for name, rows in tables.items():
        table = pa.Table.from_pylist(rows, schema=lake_schema(name))
        target = tmp / f"{name}.parquet"
        pq.write_table(table, target, compression="zstd")
        _fsync(target)
    with open(tmp / META, "w") as fh:
        json.dump({**meta, "rows": {k: len(v) for k, v in tables.items()}}, fh, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    _fsync(tmp)
    os.rename(tmp, unit)
    _fsync(unit.parent)
    return unit


def units(stage_dir: Path) -> list[Path]:
    """Published units of a stage, in name order (temporary leftovers of a crash are ignored)."""
    if not stage_dir.exists():
        return []
    return sorted(p for p in stage_dir.iterdir() if p.is_dir() and not p.name.endswith(".tmp") and (p / META).exists())


def unit_meta(unit: Path) -> dict:
    return json.loads((unit / META).read_text())


def remove_partials(stage_dir: Path) -> int:
    """Delete what a killed writer left half-written."""
    n = 0
    if stage_dir.exists():
        for p in stage_dir.rglob("*.tmp"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
            n += 1
    return n


def table_files(stage_dirs: list[Path], table: str) -> list[str]:
    files = []
    for stage in stage_dirs:
        for unit in units(stage):
            f = unit / f"{table}.parquet"
            if f.exists():
                files.append(str(f))
    return files
