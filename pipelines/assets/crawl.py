"""Crawl assets: listing -> parent-id lookups and per-repo shards -> spaces -> warehouse tables.

Each asset runs one stage of the crawl (pipelines/crawl) and attaches what it did as metadata. Stages
talk through the lake on disk, not through IO managers, so any asset can run in its own process (or
on another machine sharing the lake) and a killed run resumes where it stopped.
"""


import dagster as dg

from pipelines.crawl.aliases import resolve_parent_aliases
from pipelines.crawl.listing import run_model_listing, run_space_listing
from pipelines.crawl.progress import LogProgress, Progress
from pipelines.crawl.repos import RepoOptions, landed_requests, run_repos
from pipelines.crawl.run import finish_crawl
from pipelines.crawl.session import SHARDS, CrawlLock, CrawlSession, CrawlSpec, shard_key
from pipelines.resources import HubmineHome, HubResource
from warehouse.query import table_counts

SHARD_PARTITIONS = dg.StaticPartitionsDefinition([shard_key(i) for i in range(SHARDS)])
CORE_TABLES = ("models", "model_history", "model_events", "lineage_edges", "licenses", "energy", "model_cards",
               "commits", "commit_files", "refs", "repo_files", "repo_configs", "spaces", "space_models", "crawls",
               "crawl_errors", "model_aliases")
_progress: Progress | None = None


def set_progress(progress: Progress | None) -> None:
    """Let a terminal front-end (the CLI) show progress of assets it materializes in-process."""
    global _progress
    _progress = progress


def progress_for(context) -> Progress:
    return _progress or LogProgress(context.log)


class CrawlConfig(dg.Config):
    """What to crawl. Leave author/search/limit empty to crawl the whole hub."""

    mode: str = "full"  # full | metadata (listing only: no cards, commits, refs or spaces)
    author: str | None = None
    search: str | None = None
    limit: int | None = None


class RepoConfig(dg.Config):
    max_tree_commits: int = 50
    fetch_configs: str = "undeclared"


def open_session(home: HubmineHome) -> CrawlSession:
    session = CrawlSession.current(home.lake)
    if session is None:
        raise dg.Failure("no crawl is open: materialize hub_listing first (it opens or resumes a crawl)")
    return session


@dg.asset(group_name="crawl", kinds={"python", "parquet"})
def hub_listing(context: dg.AssetExecutionContext, config: CrawlConfig, hub: HubResource,
                home: HubmineHome) -> dg.MaterializeResult:
    """One paginated pass of list_models(expand=...) landed page by page; opens (or resumes) a crawl."""
    client = hub.client()
    spec = CrawlSpec(hub.resolved_endpoint, config.mode, config.author, config.search, config.limit)
    with CrawlLock(home.lake):
        session = CrawlSession.open(home.lake, spec)
        stats = run_model_listing(session, client, progress_for(context))
    req = landed_requests(session)
    return dg.MaterializeResult(metadata={
        "crawl_id": session.crawl_id, "endpoint": spec.endpoint, "mode": spec.mode, "models": stats["items"],
        "pages": stats["pages"], "listing_requests": req["listing"],
    })


@dg.asset(group_name="crawl", deps=[hub_listing], kinds={"python", "parquet"})
def parent_aliases(context: dg.AssetExecutionContext, hub: HubResource, home: HubmineHome) -> dg.MaterializeResult:
    """Declared parent ids that name no crawled model, resolved once through the hub's redirects (cached)."""
    session = open_session(home)
    with CrawlLock(home.lake, shared=True):  # may run beside the repo shards: it lands only its own units
        stats = resolve_parent_aliases(session, hub.client(), home.warehouse, progress_for(context))
    return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, **stats})


@dg.asset(group_name="crawl", deps=[hub_listing], partitions_def=SHARD_PARTITIONS, kinds={"python", "parquet"},
          backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=4))
def repo_details(context: dg.AssetExecutionContext, config: RepoConfig, hub: HubResource,
                 home: HubmineHome) -> dg.MaterializeResult:
    """Cards, commits with files changed, refs and lineage configs of repos whose sha changed, per shard."""
    session = open_session(home)
    if session.spec.mode != "full":
        return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, "skipped": "metadata-only crawl"})
    shards = [int(k) for k in context.partition_keys]
    with CrawlLock(home.lake, shared=True):
        stats = run_repos(session, hub.client(), home.warehouse, shards=shards,
                          opts=RepoOptions(config.max_tree_commits, config.fetch_configs), progress=progress_for(context))
    return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, "shards": ", ".join(context.partition_keys),
                                          "planned_in_crawl": stats["planned"], "repos_fetched": stats["repos"],
                                          "repos_failed": stats["failed"], "seconds": stats["seconds"]})


@dg.asset(group_name="crawl", deps=[repo_details], kinds={"python", "parquet"})
def hub_spaces(context: dg.AssetExecutionContext, hub: HubResource, home: HubmineHome) -> dg.MaterializeResult:
    """The spaces listing (with the models each space uses); skipped by metadata-only crawls."""
    session = open_session(home)
    if session.spec.mode != "full":
        return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, "skipped": "metadata-only crawl"})
    with CrawlLock(home.lake):
        stats = run_space_listing(session, hub.client(), progress_for(context))
    return dg.MaterializeResult(metadata={"crawl_id": session.crawl_id, "spaces": stats["items"], "pages": stats["pages"]})


@dg.multi_asset(
    specs=[dg.AssetSpec(t, group_name="warehouse", deps=[hub_listing, parent_aliases, repo_details, hub_spaces],
                        kinds={"duckdb"},
                        description=f"warehouse table {t} (DuckDB)", skippable=True) for t in CORE_TABLES],
    can_subset=False,
)
def warehouse_tables(context: dg.AssetExecutionContext, home: HubmineHome):
    """Load the open crawl from the lake into DuckDB in one transaction and close the crawl."""
    session = open_session(home)
    row = finish_crawl(session, home.home)
    counts = table_counts(home.warehouse, CORE_TABLES)
    for t in CORE_TABLES:
        meta = {"rows": dg.MetadataValue.int(counts.get(t, 0)), "crawl_id": row["crawl_id"]}
        if t == "crawls":
            meta.update({k: row[k] for k in ("api_requests", "resolver_requests", "alias_requests", "models_seen",
                                              "models_changed", "repos_fetched", "errors") if row.get(k) is not None})
        yield dg.MaterializeResult(asset_key=t, metadata=meta)


CRAWL_ASSETS = [hub_listing, parent_aliases, repo_details, hub_spaces, warehouse_tables]
