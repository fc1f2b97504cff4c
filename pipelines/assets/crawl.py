"""Crawl assets: listing -> parent-id lookups and per-repo shards -> spaces -> warehouse tables.

Each asset runs one stage of the crawl (pipelines/crawl) and attaches what it did as metadata. Stages
talk through the lake on disk, not through IO managers, so any asset can run in its own process (or
on another machine sharing the lake) and a killed run resumes where it stopped.
"""

import dagster as dg

from pipelines.config import FETCH_CONFIGS, MAX_TREE_COMMITS, CrawlMode, FetchConfigs, HistoryChoice
from pipelines.crawl.aliases import resolve_parent_aliases
from pipelines.crawl.client import HubClient
from pipelines.crawl.listing import run_model_listing, run_space_listing
from pipelines.crawl.repos import RepoOptions, landed_requests, run_repos
from pipelines.crawl.run import finish_crawl
from pipelines.crawl.session import SHARDS, CrawlLock, CrawlSession, CrawlSpec, shard_key
from pipelines.crawl.state import describe, resumable, summarize_missing
from pipelines.resources import HubmineHome, HubResource, ProgressResource
from warehouse.lake import crawl_tables
from warehouse.query import table_counts

SHARD_PARTITIONS = dg.StaticPartitionsDefinition([shard_key(i) for i in range(SHARDS)])
CORE_TABLES = crawl_tables()
LOCK_WAIT_S = 3600.0  # a Dagster run of the open crawl waits this long for another run's stage to end


class CrawlConfig(dg.Config):
    """What to crawl. Leave author/search/limit empty to crawl the whole hub."""

    mode: CrawlMode = "full"  # metadata: listing only (no cards, commits, refs or spaces)
    author: str | None = None
    search: str | None = None
    limit: int | None = None
    history: HistoryChoice = "auto"


class RepoConfig(dg.Config):
    max_tree_commits: int = MAX_TREE_COMMITS  # api history only (git has no limit)
    fetch_configs: FetchConfigs = FETCH_CONFIGS


def open_session(context: dg.AssetExecutionContext, home: HubmineHome) -> CrawlSession:
    """The crawl this run works on: the one its hub_listing step opened (another run may have loaded it since,
    when runs of one crawl overlap), else the open crawl."""
    crawl_id = _listed_in_run(context)
    session = next((s for s in CrawlSession.all(home.lake) if s.crawl_id == crawl_id), None) if crawl_id else None
    session = session or CrawlSession.current(home.lake)
    if session is None:
        raise dg.Failure("no crawl is open: materialize hub_listing first (it opens or resumes a crawl)")
    return session


def _listed_in_run(context: dg.AssetExecutionContext) -> str | None:
    for entry in context.instance.all_logs(context.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
        mat = entry.asset_materialization
        if mat is not None and mat.asset_key == hub_listing.key and "crawl_id" in mat.metadata:
            return mat.metadata["crawl_id"].value
    return None


def probed_client(hub: HubResource) -> HubClient:
    """The hub's client, after one request that fails in seconds (with the fix) if the endpoint is wrong."""
    client = hub.client()
    client.probe()
    return client


def skipped(session: CrawlSession) -> dg.MaterializeResult:
    """What a per-repo or spaces stage records for a metadata-only crawl (the listing is all it reads)."""
    return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, "skipped": "metadata-only crawl"})


def shard_keys(context: dg.AssetExecutionContext) -> list[str]:
    """The run's shard partitions; a run without partitions (`dagster job execute -j crawl_hub`) does them all."""
    if context.has_partition_key or context.has_partition_key_range:
        return list(context.partition_keys)
    return list(SHARD_PARTITIONS.get_partition_keys())


@dg.asset(group_name="crawl", kinds={"python", "parquet"})
def hub_listing(
    context: dg.AssetExecutionContext,
    config: CrawlConfig,
    hub: HubResource,
    home: HubmineHome,
    progress: dg.ResourceParam[ProgressResource],
) -> dg.MaterializeResult:
    """One paginated pass of list_models(expand=...) landed page by page; opens (or resumes) a crawl."""
    client = probed_client(hub)
    spec = CrawlSpec(
        hub.resolved_endpoint,
        config.mode,
        config.author,
        config.search,
        config.limit,
        **({"history": config.history} if config.history != "auto" else {}),
    )
    with CrawlLock(home.lake, wait_s=LOCK_WAIT_S):
        resumed = resumable(home.lake, spec)
        if resumed is not None:
            context.log.info(f"resuming crawl {resumed.crawl_id}: {describe(resumed)}")
        session = CrawlSession.open(home.lake, spec)
        stats = run_model_listing(session, client, progress.for_run(context))
    req = landed_requests(session)
    return dg.MaterializeResult(
        metadata={
            "crawl_id": session.crawl_id,
            "endpoint": spec.endpoint,
            "mode": spec.mode,
            "history": spec.history,
            "models": stats["items"],
            "pages": stats["pages"],
            "listing_requests": req["listing"],
        }
    )


@dg.asset(group_name="crawl", deps=[hub_listing], kinds={"python", "parquet"})
def parent_aliases(
    context: dg.AssetExecutionContext, hub: HubResource, home: HubmineHome, progress: dg.ResourceParam[ProgressResource]
) -> dg.MaterializeResult:
    """Declared parent ids that name no crawled model, resolved once through the hub's redirects (cached)."""
    session = open_session(context, home)
    with CrawlLock(home.lake, shared=True, wait_s=LOCK_WAIT_S):  # beside the repo shards: it lands its own units
        stats = resolve_parent_aliases(session, probed_client(hub), home.warehouse, progress.for_run(context))
    return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, **stats})


@dg.asset(
    group_name="crawl",
    deps=[hub_listing],
    partitions_def=SHARD_PARTITIONS,
    kinds={"python", "parquet"},
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=4),
)
def repo_details(
    context: dg.AssetExecutionContext,
    config: RepoConfig,
    hub: HubResource,
    home: HubmineHome,
    progress: dg.ResourceParam[ProgressResource],
) -> dg.MaterializeResult:
    """Cards, commits with files changed, refs and lineage configs of repos whose sha changed, per shard."""
    session = open_session(context, home)
    if session.spec.mode != "full":
        return skipped(session)
    keys = shard_keys(context)
    client = probed_client(hub)
    with CrawlLock(home.lake, shared=True, wait_s=LOCK_WAIT_S):
        opts = RepoOptions(config.max_tree_commits, config.fetch_configs)
        stats = run_repos(
            session,
            client,
            home.warehouse,
            shards=[int(k) for k in keys],
            opts=opts,
            progress=progress.for_run(context),
        )
    return dg.MaterializeResult(
        metadata={
            "crawl_id": session.crawl_id,
            "shards": ", ".join(keys),
            "planned_in_crawl": stats["planned"],
            "repos_fetched": stats["repos"],
            "repos_failed": stats["failed"],
            "seconds": stats["seconds"],
        }
    )


@dg.asset(group_name="crawl", deps=[repo_details], kinds={"python", "parquet"})
def hub_spaces(
    context: dg.AssetExecutionContext, hub: HubResource, home: HubmineHome, progress: dg.ResourceParam[ProgressResource]
) -> dg.MaterializeResult:
    """The spaces listing (with the models each space uses); skipped by metadata-only crawls."""
    session = open_session(context, home)
    if session.spec.mode != "full":
        return skipped(session)
    client = probed_client(hub)
    with CrawlLock(home.lake, wait_s=LOCK_WAIT_S):
        stats = run_space_listing(session, client, progress.for_run(context))
    return dg.MaterializeResult(
        metadata={"crawl_id": session.crawl_id, "spaces": stats["items"], "pages": stats["pages"]}
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            t,
            group_name="warehouse",
            deps=[hub_listing, parent_aliases, repo_details, hub_spaces],
            kinds={"duckdb"},
            description=f"warehouse table {t} (DuckDB)",
            skippable=True,
        )
        for t in CORE_TABLES
    ],
    can_subset=False,
)
def warehouse_tables(context: dg.AssetExecutionContext, home: HubmineHome):
    """Load the open crawl from the lake into DuckDB in one transaction and close it, once every partition
    landed; until then only `crawls` changes: it records the crawl as partial, with what is missing."""
    session = open_session(context, home)
    row = finish_crawl(session, home.home, wait_s=LOCK_WAIT_S)
    if row["status"] != "finished":
        missing = summarize_missing(row["missing"])
        context.log.warning(
            f"crawl {row['crawl_id']} is partial, not loaded: missing {missing}; materialize "
            "those partitions (or run the crawl_hub job) and the run that lands the last one loads it"
        )
        yield dg.MaterializeResult(
            asset_key="crawls",
            metadata={
                "crawl_id": row["crawl_id"],
                "status": row["status"],
                "missing": missing,
                "missing_partitions": len(row["missing"]),
            },
        )
        return
    counts = table_counts(home.warehouse, CORE_TABLES)
    for t in CORE_TABLES:
        meta = {"rows": dg.MetadataValue.int(counts.get(t, 0)), "crawl_id": row["crawl_id"]}
        if t == "crawls":
            meta["status"] = row["status"]
            meta.update(
                {
                    k: row[k]
                    for k in (
                        "api_requests",
                        "resolver_requests",
                        "alias_requests",
                        "models_seen",
                        "models_changed",
                        "repos_fetched",
                        "errors",
                    )
                    if row.get(k) is not None
                }
            )
        yield dg.MaterializeResult(asset_key=t, metadata=meta)
