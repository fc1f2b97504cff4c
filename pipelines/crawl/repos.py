"""Per-repo work of a crawl: card, commits, files changed per commit, refs and lineage configs.

Only repos whose listing sha differs from the sha their per-repo data was last fetched at are planned
(incremental), and the plan is split into shards by a stable hash of the repo id. A shard lands in
batches; each batch records the repos it finished, so a resumed crawl skips them. A repo's data lands
all-or-nothing: if any call fails after its retries the repo is recorded as an error and planned again
by the next crawl.
"""

from __future__ import annotations

import json
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
import yaml
from huggingface_hub.errors import EntryNotFoundError

from analyses import cards, energy
from analyses.files import is_weight_file
from analyses.lineage import normalize_repo_id
from pipelines.crawl.client import HubClient
from pipelines.crawl.listing import delta
from pipelines.crawl.progress import Progress
from pipelines.crawl.session import SHARDS, CrawlSession, shard_key, shard_of
from warehouse.lake import publish_unit, table_files, unit_meta, units
from warehouse.records import Rows

REPO_TABLES = ("repo_done", "model_cards", "commits", "commit_files", "refs", "repo_files", "repo_configs",
               "lineage_edges", "energy")
PLAN_SCHEMA = pa.schema([("model_id", pa.string()), ("sha", pa.string()), ("shard", pa.int32()),
                         ("siblings", pa.list_(pa.string())), ("declares_base", pa.bool_())])
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class RepoOptions:
    max_tree_commits: int = 50       # file diffs for at most this many newest commits per repo
    fetch_configs: str = "undeclared"  # config.json: "all", "undeclared" (no declared base) or "none"
    batch_size: int = 200


# -- planning ----------------------------------------------------------------------------------------
def plan_path(session: CrawlSession) -> Path:
    return session.repos_dir / "plan.parquet"


def plan_repos(session: CrawlSession, warehouse: Path) -> int:
    """Write the crawl's per-repo plan once (new repos, changed sha, or not fetched successfully yet)."""
    path = plan_path(session)
    if path.exists():
        return pq.read_metadata(path).num_rows
    files = table_files([session.listing_dir], "models")
    con = duckdb.connect()
    fetched = "SELECT NULL::VARCHAR model_id, NULL::VARCHAR fetched_sha WHERE false"
    if Path(warehouse).exists():
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        fetched = "SELECT model_id, fetched_sha FROM wh.repo_state"
    rows = con.execute(f"""
        WITH listed AS (
            SELECT model_id, sha, siblings, len(base_models) > 0 AS declares_base
            FROM read_parquet(?, filename = true)
            QUALIFY row_number() OVER (PARTITION BY model_id ORDER BY filename DESC) = 1
        )
        SELECT l.* FROM listed l LEFT JOIN ({fetched}) f USING (model_id)
        WHERE f.fetched_sha IS DISTINCT FROM l.sha OR l.sha IS NULL
        ORDER BY model_id
    """, [files]).fetchall() if files else []
    con.close()
    table = pa.Table.from_pylist(
        [{"model_id": m, "sha": s, "shard": shard_of(m), "siblings": sib, "declares_base": d} for m, s, sib, d in rows],
        schema=PLAN_SCHEMA)
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
def _tree_map(entries) -> dict[str, tuple]:
    out = {}
    for e in entries:
        if getattr(e, "size", None) is None:  # folders
            continue
        lfs = getattr(e, "lfs", None)
        out[e.path] = (e.blob_id, e.size, lfs.sha256 if lfs else None)
    return out


def _parse_json(data: bytes, path: str) -> dict:
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is {len(data)} bytes, over {MAX_CONFIG_BYTES}")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"truncated or malformed JSON in {path}: {e}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} is a JSON {type(value).__name__}, not an object")
    return value


def fetch_repo(client: HubClient, plan: dict, opts: RepoOptions, cache_root: Path) -> Rows:
    """All per-repo data of one model, as rows; on failure only repo_done (ok = false) and errors."""
    with tempfile.TemporaryDirectory(dir=cache_root) as cache_dir:
        return _fetch_repo(client, plan, opts, Path(cache_dir))


def _fetch_repo(client: HubClient, plan: dict, opts: RepoOptions, cache_dir: Path) -> Rows:
    mid, sha = plan["model_id"], plan["sha"]
    rev = sha or "main"
    siblings = set(plan["siblings"] or [])
    rows = Rows(*REPO_TABLES)
    stage = "commits"
    try:
        commits = client.commits(mid, rev)
        stage = "refs"
        refs = client.refs(mid)
        stage = "card"
        if "README.md" in siblings:
            try:
                _card(rows, mid, sha, client.download(mid, "README.md", rev, cache_dir))
            except EntryNotFoundError:  # listed but not served: permanent, retrying would not help
                rows.error(mid, "card", "README.md is listed but could not be downloaded (entry not found)")
        stage = "trees"
        _commits_and_trees(rows, client, mid, commits, opts.max_tree_commits)
        stage = "refs"
        for kind, items in (("branch", refs.branches), ("tag", refs.tags), ("convert", refs.converts),
                            ("pr", refs.pull_requests or [])):
            for r in items:
                rows.add("refs", {"model_id": mid, "kind": kind, "name": r.name, "ref": r.ref, "target_commit": r.target_commit})
        stage = "configs"
        _configs(rows, client, mid, rev, siblings, plan["declares_base"], opts.fetch_configs, cache_dir)
    except Exception as e:  # noqa: BLE001 - the repo is quarantined, the crawl goes on
        failed = Rows(*REPO_TABLES)
        failed.error(mid, stage, f"{type(e).__name__}: {' '.join(str(e).split())}"[:500])
        failed.add("repo_done", {"model_id": mid, "sha": sha, "ok": False})
        failed["crawl_errors"].extend(rows["crawl_errors"])
        return failed
    rows.add("repo_done", {"model_id": mid, "sha": sha, "ok": True})
    return rows


def _card(rows: Rows, mid: str, sha: str | None, data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        rows.error(mid, "card", "README.md is not valid UTF-8 (undecodable bytes replaced)")
    facts = cards.parse_card(text)
    if facts.yaml_error:
        rows.error(mid, "card", f"card metadata: {facts.yaml_error}")
    rows.add("model_cards", {
        "model_id": mid, "sha": sha, "body": text, "length": facts.length, "has_front_matter": facts.has_front_matter,
        "yaml_ok": facts.yaml_ok, "yaml_error": facts.yaml_error,
        "metadata": json.dumps(facts.metadata, default=str, ensure_ascii=False) if facts.metadata else None,
        "sections": facts.sections, "autogenerated": facts.autogenerated, "templated": facts.templated,
    })
    fact = energy.from_card_text(facts.body)
    if fact is not None:
        rows.add("energy", {"model_id": mid, **fact.row()})
        if not fact.valid:
            rows.error(mid, "energy", f"CO2 in card text quarantined: {fact.reason}", fact.raw)


def _commits_and_trees(rows: Rows, client: HubClient, mid: str, commits, max_tree_commits: int) -> None:
    ordered = list(reversed(commits))  # oldest first
    window_start = max(0, len(ordered) - max_tree_commits)
    prev: dict[str, tuple] = {}
    if window_start > 0:
        prev = _tree_map(client.tree(mid, ordered[window_start - 1].commit_id))
    for pos, c in enumerate(ordered, start=1):
        known = pos - 1 >= window_start
        rows.add("commits", {
            "model_id": mid, "commit_id": c.commit_id, "position": pos, "title": c.title, "message": c.message,
            "authors": list(c.authors or []), "date": c.created_at.replace(tzinfo=None) if c.created_at else None,
            "files_known": known,
        })
        if not known:
            continue
        tree = _tree_map(client.tree(mid, c.commit_id))
        for path in sorted(set(tree) | set(prev)):
            old, new = prev.get(path), tree.get(path)
            if old == new:
                continue
            change = "added" if old is None else "deleted" if new is None else "modified"
            cur = new or old
            rows.add("commit_files", {"model_id": mid, "commit_id": c.commit_id, "path": path, "change": change,
                                      "oid": cur[0], "size": cur[1], "lfs_sha256": cur[2], "is_weight": is_weight_file(path)})
        prev = tree
    if ordered:
        for path, (oid, size, lfs) in sorted(prev.items()):
            rows.add("repo_files", {"model_id": mid, "path": path, "size": size, "oid": oid, "lfs_sha256": lfs})


def _configs(rows: Rows, client: HubClient, mid: str, rev: str, siblings: set[str], declares_base: bool,
             policy: str, cache_dir: Path) -> None:
    wanted = []
    if "adapter_config.json" in siblings:
        wanted.append(("adapter_config.json", "adapter", "adapter_config"))
    if "config.json" in siblings and (policy == "all" or (policy == "undeclared" and not declares_base)):
        wanted.append(("config.json", "unknown", "config"))
    if "mergekit_config.yml" in siblings and not declares_base and policy != "none":
        wanted.append(("mergekit_config.yml", "merge", "mergekit"))
    for path, relation, source in wanted:
        try:
            data = client.download(mid, path, rev, cache_dir)
        except EntryNotFoundError:
            rows.error(mid, "configs", f"{path} listed but not downloadable")
            continue
        try:
            if path.endswith(".yml"):
                cfg = yaml.safe_load(data.decode("utf-8")) or {}
                parents = [m.get("model") for m in cfg.get("models", []) if isinstance(m, dict)] if isinstance(cfg, dict) else []
                base = None
            else:
                cfg = _parse_json(data, path)
                base = cfg.get("base_model_name_or_path") if path == "adapter_config.json" else None
                parents = [base if path == "adapter_config.json" else cfg.get("_name_or_path")]
        except (ValueError, yaml.YAMLError, UnicodeDecodeError, AttributeError) as e:
            rows.error(mid, "configs", " ".join(str(e).split())[:300])
            continue
        if not path.endswith(".yml"):
            arch = cfg.get("architectures")
            rows.add("repo_configs", {
                "model_id": mid, "path": path, "base_model_name_or_path": _s(base),
                "name_or_path": _s(cfg.get("_name_or_path")), "model_type": _s(cfg.get("model_type")),
                "architectures": [str(a) for a in arch] if isinstance(arch, list) else [],
            })
        for p in parents:
            pid = normalize_repo_id(p)
            if pid and pid != mid:
                rows.add("lineage_edges", {"child_id": mid, "parent_id": pid, "relation": relation, "source": source})


def _s(v) -> str | None:
    return None if v is None else str(v)[:500]


# -- a shard ------------------------------------------------------------------------------------------
def run_shard(session: CrawlSession, client: HubClient, shard: int, opts: RepoOptions | None = None,
              progress: Progress | None = None) -> dict:
    """Fetch the shard's remaining repos with `client.concurrency` threads, landing a batch per `batch_size`."""
    opts = opts or RepoOptions()
    progress = progress or Progress()
    todo = shard_todo(session, shard)
    shard_dir = session.shard_dir(shard)
    stats = {"repos": 0, "failed": 0}
    if not todo:
        return stats
    batch_no = len(units(shard_dir))
    cache_dir = Path(tempfile.mkdtemp(prefix=f"hubmine-shard{shard_key(shard)}-"))
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
        publish_unit(shard_dir / f"batch-{batch_no:06d}", merged.tables, {"repos": len(pending), "requests": delta(after, before)})
        before, pending = after, []

    try:
        with ThreadPoolExecutor(max_workers=client.concurrency, thread_name_prefix=f"shard{shard_key(shard)}") as pool:
            it = iter(todo)
            running = set()
            for plan in it:
                running.add(pool.submit(fetch_repo, client, plan, opts, cache_dir))
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
                        running.add(pool.submit(fetch_repo, client, nxt, opts, cache_dir))
                if len(pending) >= opts.batch_size:
                    flush()
        flush()
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    return stats


def run_repos(session: CrawlSession, client: HubClient, warehouse: Path, shards: list[int] | None = None,
              opts: RepoOptions | None = None, progress: Progress | None = None) -> dict:
    """Plan (once) and fetch the given shards (all by default)."""
    progress = progress or Progress()
    total = plan_repos(session, warehouse)
    shards = list(range(SHARDS)) if shards is None else shards
    remaining = sum(len(shard_todo(session, s)) for s in shards)
    progress.task("repos", remaining)
    t0 = time.monotonic()
    stats = {"planned": total, "repos": 0, "failed": 0}
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
    out = {"api": 0, "resolvers": 0, "retries": 0, "listing": 0, "repos": 0, "spaces": 0}
    stages = {"listing": [session.listing_dir], "spaces": [session.spaces_dir],
              "repos": [session.shard_dir(s) for s in range(SHARDS)]}
    for stage, dirs in stages.items():
        for d in dirs:
            for u in units(d):
                req = unit_meta(u).get("requests", {})
                for k in ("api", "resolvers", "retries"):
                    out[k] += req.get(k, 0)
                out[stage] += req.get("api", 0) + req.get("resolvers", 0)
    return out
