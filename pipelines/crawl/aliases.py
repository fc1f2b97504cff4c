"""Declared parents that name no crawled model, resolved once through the hub's redirects.

Cards keep naming a base by the id it had when they were written (`bert-base-uncased`, `gpt2`) or in another
letter case; the Hub answers such an id with a 307 to the current one. After the listing, every declared parent
id that is not a crawled model id is resolved:

1. among the crawled ids themselves when only the letter case differs (hub ids are unique regardless of case,
   so this is the answer the hub would give, without a request);
2. else from the answers of earlier crawls kept in `model_aliases`, while they are fresh (RECHECK_AFTER);
3. else by asking the hub: model_info follows the redirect and names the current id and its stable `_id`.

"Not found" is an answer too, cached like the others, so a deleted or private base is not asked every crawl.
A lookup that still fails after the client's retries lands in crawl_errors and is asked again next crawl.
Answers land in the crawl's lake (one unit per batch, so a killed crawl resumes) and reach `model_aliases`
with the rest of the crawl, in one transaction; `lineage_edges.resolved_parent_id` is derived from them there.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from huggingface_hub.errors import HFValidationError, RepositoryNotFoundError

from pipelines.crawl.client import HubClient
from pipelines.crawl.listing import delta
from pipelines.crawl.progress import Progress
from pipelines.crawl.records import Rows
from pipelines.crawl.session import CrawlSession
from warehouse.lake import publish_unit, stage_tables, table_files, unit_meta, units, write_json_atomic

STAGE = "aliases"
DONE = "_done.json"
TABLES = stage_tables("aliases")
BATCH = 500
DECLARED = ("card", "tag", "card+tag")
# how long an answer of the hub stays good: renames and new repos are rare, a missing base may appear
RECHECK_AFTER = {
    "renamed": timedelta(days=30),
    "case": timedelta(days=30),
    "exists": timedelta(days=30),
    "not_found": timedelta(days=7),
    "invalid": timedelta(days=365),
}


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _row(alias: str, canonical: str | None, mongo_id: str | None, status: str, source: str, at: datetime) -> dict:
    return {
        "alias": alias,
        "canonical_id": canonical,
        "mongo_id": mongo_id,
        "status": status,
        "source": source,
        "resolved_at": at,
    }


def status_of(alias: str, canonical: str) -> str:
    if canonical == alias:
        return "exists"
    return "case" if canonical.lower() == alias.lower() else "renamed"


# -- planning --------------------------------------------------------------------------------------
def _attach(con: duckdb.DuckDBPyConnection, warehouse: Path) -> set[str]:
    """Attach the warehouse read-only (when there is one); the tables it has."""
    if not Path(warehouse).exists():
        return set()
    con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'wh'").fetchall()}


def plan_lookups(session: CrawlSession, warehouse: Path, at: datetime) -> tuple[list[dict], list[str], int]:
    """(rows resolved among crawled ids, ids to ask the hub about, ids answered by a fresh cache entry)."""
    models = table_files([session.listing_dir], "models")
    edges = table_files([session.listing_dir], "lineage_edges")
    if not models or not edges:
        return [], [], 0
    con = duckdb.connect()
    try:
        tables = _attach(con, warehouse)
        kept = (
            "UNION SELECT model_id, mongo_id FROM wh.models"
            if "models" in tables and not session.spec.whole_hub
            else ""
        )
        con.execute(
            f"CREATE TEMP TABLE present AS SELECT DISTINCT model_id, mongo_id FROM read_parquet(?) {kept}", [models]
        )
        con.execute(
            f"""CREATE TEMP TABLE missing AS SELECT DISTINCT parent_id FROM read_parquet(?)
                        WHERE source IN {DECLARED} AND parent_id NOT IN (SELECT model_id FROM present)""",
            [edges],
        )
        by_case = con.execute("""
            SELECT m.parent_id, any_value(p.model_id), any_value(p.mongo_id)
            FROM missing m JOIN present p ON lower(p.model_id) = lower(m.parent_id) GROUP BY 1 ORDER BY 1
        """).fetchall()
        missing = [r[0] for r in con.execute("SELECT parent_id FROM missing ORDER BY 1").fetchall()]
        cached = (
            {
                a: (s, t)
                for a, s, t in con.execute(
                    "SELECT alias, status, resolved_at FROM wh.model_aliases WHERE source = 'hub'"
                ).fetchall()
            }
            if "model_aliases" in tables
            else {}
        )
    finally:
        con.close()
    local = [_row(a, c, m, "case", "warehouse", at) for a, c, m in by_case]
    done = landed_aliases(session)
    fresh = {a for a, (s, t) in cached.items() if at - t < RECHECK_AFTER.get(s, timedelta(0))}
    solved = {r["alias"] for r in local}
    ask = [a for a in missing if a not in solved and a not in fresh and a not in done]
    return [r for r in local if r["alias"] not in done], ask, len(fresh & set(missing))


def landed_aliases(session: CrawlSession) -> set[str]:
    """Aliases this crawl already answered (a resumed crawl does not ask them again)."""
    out: set[str] = set()
    for unit in units(session.aliases_dir):
        out.update(pq.read_table(unit / "model_aliases.parquet", columns=["alias"]).column(0).to_pylist())
    return out


# -- asking the hub --------------------------------------------------------------------------------
def ask_hub(client: HubClient, alias: str, rows: Rows, at: datetime) -> None:
    """One lookup: model_info follows the hub's redirect to the current id (counted, retried)."""
    try:
        info = client.retrying(lambda: client.api.model_info(alias, expand=["sha"]), f"parent id {alias}")
    except RepositoryNotFoundError:
        rows.add("model_aliases", _row(alias, None, None, "not_found", "hub", at))
    except HFValidationError:
        rows.add("model_aliases", _row(alias, None, None, "invalid", "hub", at))
    except Exception as e:  # noqa: BLE001 - anything left after the retries is quarantined, asked again next crawl
        rows.error(alias, STAGE, f"parent id not resolved: {type(e).__name__}: {e}"[:500])
    else:
        rows.add(
            "model_aliases", _row(alias, info.id, getattr(info, "_id", None), status_of(alias, info.id), "hub", at)
        )


def _land(session: CrawlSession, rows: Rows, meta: dict) -> None:
    session.aliases_dir.mkdir(parents=True, exist_ok=True)
    n = len(units(session.aliases_dir)) + 1
    publish_unit(session.aliases_dir / f"batch-{n:06d}", rows.tables, meta)


def lookups_done(session: CrawlSession) -> bool:
    return (session.aliases_dir / DONE).exists()


def resolve_parent_aliases(
    session: CrawlSession,
    client: HubClient,
    warehouse: Path,
    progress: Progress | None = None,
    at: datetime | None = None,
) -> dict:
    """Resolve the crawl's declared parents that name no crawled model; returns what was done."""
    done = session.aliases_dir / DONE
    if lookups_done(session):
        return json.loads(done.read_text())
    at = at or now_utc()
    progress = progress or Progress()
    local, ask, cached = plan_lookups(session, warehouse, at)
    if local:
        rows = Rows(*TABLES)
        for r in local:
            rows.add("model_aliases", r)
        _land(session, rows, {"lookups": 0, "requests": {}})
    progress.task("parent ids", len(ask))
    with ThreadPoolExecutor(max_workers=client.concurrency, thread_name_prefix="aliases") as pool:
        for start in range(0, len(ask), BATCH):
            batch = ask[start : start + BATCH]
            rows = Rows(*TABLES)
            before = client.counter.snapshot()
            for _ in pool.map(ask_hub, [client] * len(batch), batch, [rows] * len(batch), [at] * len(batch)):
                progress.advance("parent ids", 1)
            _land(session, rows, {"lookups": len(batch), "requests": delta(client.counter.snapshot(), before)})
    progress.done("parent ids")
    stats = {"local": len(local), "cached": cached, "asked": len(ask)}
    done.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(done, stats)  # beside the answers, not in crawl.json: shard processes may be saving that
    return stats


def alias_requests(session: CrawlSession) -> int:
    """Requests the lookups of this crawl made (every landed batch, across resumes)."""
    total = 0
    for unit in units(session.aliases_dir):
        req = unit_meta(unit).get("requests", {})
        total += req.get("api", 0) + req.get("resolvers", 0) + req.get("other", 0)
    return total
