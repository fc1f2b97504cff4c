"""Per-repo work of a crawl: card, commits, files changed per commit, refs and lineage configs.

Only repos whose listing sha differs from the sha their per-repo data was last fetched at are planned
(incremental), and within a repo only the commits after the newest one already in the warehouse are read.
History is read through git (one partial clone per repo) or through the REST API, as the crawl's `history`
says; both land the same rows. The plan is split into shards by a stable hash of the repo id. A shard
lands in batches; each batch records the repos it finished, so a resumed crawl skips them. A repo's data
lands all-or-nothing: if any step fails after its retries the repo is recorded as an error and planned
again by the next crawl.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import config
from pipelines.crawl.client import HubClient
from pipelines.crawl.listing import delta
from pipelines.crawl.progress import Progress
from pipelines.crawl.records import Rows
from pipelines.crawl.repo_api import api_reader, api_repo_data
from pipelines.crawl.repo_data import Base, file_rows, history_rows
from pipelines.crawl.repo_git import git_reader, git_repo_data
from pipelines.crawl.session import SHARDS, CrawlSession, shard_key, shard_of
from warehouse.lake import publish_unit, stage_tables, table_files, unit_meta, units

REPO_TABLES = stage_tables("repo")
TREE_ENTRY = pa.struct([("path", pa.string()), ("oid", pa.string()), ("size", pa.int64()), ("lfs_sha256", pa.string())])
PLAN_SCHEMA = pa.schema(
    [
        ("model_id", pa.string()),
        ("sha", pa.string()),
        ("shard", pa.int32()),
        ("siblings", pa.list_(pa.string())),
        ("declares_base", pa.bool_()),
        ("base_commit", pa.string()),
        ("base_position", pa.int32()),
        ("base_date", pa.timestamp("us")),
        ("base_tree", pa.list_(TREE_ENTRY)),
        ("files_read", pa.list_(pa.string())),
    ]
)
REQUEST_KEYS = ("api", "resolvers", "git", "git_bytes", "retries")


@dataclass
class RepoOptions:
    max_tree_commits: int = config.MAX_TREE_COMMITS
    fetch_configs: config.FetchConfigs = config.FETCH_CONFIGS
    batch_size: int = 200

    def __post_init__(self):
        config.check_choice("fetch_configs", self.fetch_configs, config.FETCH_CONFIGS_MODES)


# -- planning ----------------------------------------------------------------------------------------
def plan_path(session: CrawlSession) -> Path:
    return session.repos_dir / "plan.parquet"


NO_STATE = """
    SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR[])) s(model_id, fetched_sha, files_read)
    WHERE false
"""
NO_BASES = """
    SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::INTEGER, NULL::TIMESTAMP)) b(model_id, base_commit,
    base_position, base_date) WHERE false
"""
NO_TREES = """
    SELECT NULL::VARCHAR model_id, NULL::STRUCT(path VARCHAR, oid VARCHAR, size BIGINT, lfs_sha256 VARCHAR)[] base_tree
    WHERE false
"""


def plan_repos(session: CrawlSession, warehouse: Path) -> int:
    """Write the crawl's per-repo plan once (new repos, changed sha, or not fetched successfully yet), with
    where each repo's known history ends (its newest stored commit and the tree at it) for increments."""
    path = plan_path(session)
    if path.exists():
        return pq.read_metadata(path).num_rows
    files = table_files([session.listing_dir], "models")
    con = duckdb.connect()
    state, bases, trees = NO_STATE, NO_BASES, NO_TREES
    if Path(warehouse).exists():
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        migrated = con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_catalog = 'wh' "
            "AND table_name = 'repo_state' AND column_name = 'files_read'"
        ).fetchall()[0][0]
        # a warehouse from before files_read was recorded: nothing counts as read, so nothing is kept
        read = "files_read" if migrated else "NULL::VARCHAR[]"
        state = f"SELECT model_id, fetched_sha, {read} files_read FROM wh.repo_state"
        bases = """SELECT model_id, arg_max(commit_id, position) base_commit, max(position) base_position,
                          arg_max(date, position) base_date
                   FROM wh.commits WHERE model_id IN (SELECT model_id FROM changed) GROUP BY model_id"""
        trees = """SELECT model_id, list({'path': path, 'oid': oid, 'size': size, 'lfs_sha256': lfs_sha256}
                          ORDER BY path) base_tree
                   FROM wh.repo_files WHERE model_id IN (SELECT model_id FROM changed) GROUP BY model_id"""
    rows = (
        con.execute(
            f"""
        WITH listed AS (
            SELECT model_id, sha, siblings, len(base_models) > 0 AS declares_base
            FROM read_parquet(?, filename = true)
            QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY filename DESC) = 1
        ), state AS ({state}),
        changed AS (
            SELECT l.*, f.files_read, f.model_id IS NOT NULL AS known FROM listed l LEFT JOIN state f USING (model_id)
            WHERE f.fetched_sha IS DISTINCT FROM l.sha OR l.sha IS NULL
        ), bases AS ({bases}), trees AS ({trees})
        SELECT c.model_id, c.sha, c.siblings, c.declares_base,
               CASE WHEN c.known THEN b.base_commit END, b.base_position, b.base_date, t.base_tree, c.files_read
        FROM changed c LEFT JOIN bases b USING (model_id) LEFT JOIN trees t USING (model_id)
        ORDER BY c.model_id
    """,
            [files],
        ).fetchall()
        if files
        else []
    )
    con.close()
    names = [f.name for f in PLAN_SCHEMA if f.name != "shard"]
    table = pa.Table.from_pylist(
        [{**dict(zip(names, r, strict=True)), "shard": shard_of(r[0])} for r in rows], schema=PLAN_SCHEMA
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # shard processes may plan at the same time
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    return table.num_rows


def shard_todo(session: CrawlSession, shard: int) -> list[dict]:
    plan = pq.read_table(plan_path(session), filters=[("shard", "=", shard)]).to_pylist()
    done = set()
    for unit in units(session.shard_dir(shard)):
        done.update(pq.read_table(unit / "repo_done.parquet", columns=["model_id"]).column(0).to_pylist())
    return [r for r in plan if r["model_id"] not in done]


# -- one repo ---------------------------------------------------------------------------------------
@dataclass
class Fetcher:
    """How one crawl reads a repo: through git or the REST API, with its options and scratch space."""

    client: HubClient
    history: str
    opts: RepoOptions
    work_dir: Path

    def __post_init__(self) -> None:
        self.git = self.client.git()

    def fetch(self, plan: dict) -> Rows:
        """All per-repo data of one model, as rows; on failure only repo_done (ok = false) and errors."""
        mid, sha = plan["model_id"], plan["sha"]
        rows = Rows(*REPO_TABLES)
        stage = ["git" if self.history == "git" else "commits"]
        base = Base.of(plan)
        try:
            if self.history == "git":
                data, clone = git_repo_data(self.git, mid, sha, base, self.work_dir)
                try:
                    stage[0] = "files"
                    current = file_rows(rows, plan, data, git_reader(clone, data.head_tree), self.opts.fetch_configs)
                finally:
                    clone.close()
            else:
                data = api_repo_data(self.client, mid, sha or "main", base, self.opts.max_tree_commits, stage)
                with tempfile.TemporaryDirectory(dir=self.work_dir) as cache_dir:
                    stage[0] = "files"
                    current = file_rows(
                        rows,
                        plan,
                        data,
                        api_reader(self.client, mid, sha or "main", Path(cache_dir)),
                        self.opts.fetch_configs,
                    )
            history_rows(rows, mid, data)
        except Exception as e:  # noqa: BLE001 - the repo is quarantined, the crawl goes on
            failed = Rows(*REPO_TABLES)
            failed.error(mid, stage[0], f"{type(e).__name__}: {' '.join(str(e).split())}"[:500])
            failed.add("repo_done", {"model_id": mid, "sha": sha, "ok": False, "base_commit": None, "files_read": []})
            failed["crawl_errors"].extend(rows["crawl_errors"])
            return failed
        rows.add(
            "repo_done",
            {
                "model_id": mid,
                "sha": sha,
                "ok": True,
                "base_commit": data.base.commit_id if data.base else None,
                "files_read": current,
            },
        )
        return rows


# -- a shard ------------------------------------------------------------------------------------------
def run_shard(
    session: CrawlSession,
    client: HubClient,
    shard: int,
    opts: RepoOptions | None = None,
    progress: Progress | None = None,
) -> dict:
    """Fetch the shard's remaining repos with `client.concurrency` threads, landing a batch per `batch_size`."""
    opts = opts or RepoOptions()
    progress = progress or Progress()
    todo = shard_todo(session, shard)
    shard_dir = session.shard_dir(shard)
    stats = {"repos": 0, "failed": 0}
    if not todo:
        return stats
    batch_no = len(units(shard_dir))
    cache_dir = session.work_dir / f"shard-{shard_key(shard)}"
    shutil.rmtree(cache_dir, ignore_errors=True)  # clones a killed run left behind
    cache_dir.mkdir(parents=True)
    fetcher = Fetcher(client, session.spec.history, opts, cache_dir)
    before = client.counter.snapshot()
    pending: list[Rows] = []

    def flush() -> None:
        nonlocal batch_no, before, pending
        if not pending:
            return
        merged = Rows(*REPO_TABLES)
        for r in pending:
            for t, rs in r.tables.items():
                merged[t].extend(rs)
        batch_no += 1
        after = client.counter.snapshot()
        publish_unit(
            shard_dir / f"batch-{batch_no:06d}",
            merged.tables,
            {"repos": len(pending), "requests": delta(after, before)},
        )
        before, pending = after, []

    try:
        with ThreadPoolExecutor(max_workers=client.concurrency, thread_name_prefix=f"shard{shard_key(shard)}") as pool:
            it = iter(todo)
            running = set()
            for plan in it:
                running.add(pool.submit(fetcher.fetch, plan))
                if len(running) >= client.concurrency * 2:
                    break
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    rows = fut.result()
                    pending.append(rows)
                    ok = rows["repo_done"][0]["ok"]
                    stats["repos"] += 1
                    stats["failed"] += 0 if ok else 1
                    progress.advance("repos", 1)
                    nxt = next(it, None)
                    if nxt is not None:
                        running.add(pool.submit(fetcher.fetch, nxt))
                if len(pending) >= opts.batch_size:
                    flush()
        flush()
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    return stats


def run_repos(
    session: CrawlSession,
    client: HubClient,
    warehouse: Path,
    shards: list[int] | None = None,
    opts: RepoOptions | None = None,
    progress: Progress | None = None,
) -> dict:
    """Plan (once) and fetch the given shards (all by default)."""
    progress = progress or Progress()
    total = plan_repos(session, warehouse)
    shards = list(range(SHARDS)) if shards is None else shards
    remaining = sum(len(shard_todo(session, s)) for s in shards)
    progress.task("repos", remaining)
    t0 = time.monotonic()
    stats: dict[str, int | float] = {"planned": total, "repos": 0, "failed": 0}
    for s in shards:
        st = run_shard(session, client, s, opts, progress)
        stats["repos"] += st["repos"]
        stats["failed"] += st["failed"]
    progress.done("repos")
    stats["seconds"] = round(time.monotonic() - t0, 1)
    if all(not shard_todo(session, s) for s in range(SHARDS)):
        session.finish_stage("repos", planned=total)
    return stats


def landed_requests(session: CrawlSession) -> dict[str, int]:
    """Requests recorded by every landed unit of the crawl, summed per bucket and per stage."""
    out = {k: 0 for k in (*REQUEST_KEYS, "listing", "repos", "spaces")}
    stages = {
        "listing": [session.listing_dir],
        "spaces": [session.spaces_dir],
        "repos": [session.shard_dir(s) for s in range(SHARDS)],
    }
    for stage, dirs in stages.items():
        for d in dirs:
            for u in units(d):
                req = unit_meta(u).get("requests", {})
                for k in REQUEST_KEYS:
                    out[k] += req.get(k, 0)
                out[stage] += req.get("api", 0) + req.get("resolvers", 0) + req.get("git", 0)
    return out
