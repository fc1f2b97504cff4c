"""A whole crawl as plain function calls (the Dagster assets call the same stages one by one)."""

from __future__ import annotations

from pathlib import Path

from pipelines.crawl.aliases import alias_requests, resolve_parent_aliases
from pipelines.crawl.client import HubClient
from pipelines.crawl.listing import run_model_listing, run_space_listing
from pipelines.crawl.progress import Progress
from pipelines.crawl.repos import RepoOptions, landed_requests, run_repos
from pipelines.crawl.session import CrawlLock, CrawlSession, CrawlSpec
from pipelines.crawl.state import missing_parts
from warehouse.load import load_crawl, record_partial
from warehouse.paths import lake_dir, warehouse_path


def finish_crawl(session: CrawlSession, home: Path, wait_s: float = 0.0) -> dict:
    """Load the crawl into the warehouse (one transaction) and close it, if every partition landed.

    Otherwise the crawl stays open and `crawls` records it as partial with what is missing; the run
    that lands the last partition loads it.
    """
    with CrawlLock(lake_dir(home), wait_s=wait_s):
        requests = {**landed_requests(session), "aliases": alias_requests(session)}
        runs = session.manifest.get("runs", 1)
        missing = missing_parts(session)
        if missing:
            return record_partial(warehouse_path(home), session, requests, runs, missing)
        row = load_crawl(warehouse_path(home), session, requests, runs)
        session.set_status("loaded")
        session.clear_work()
    return row


def crawl(
    spec: CrawlSpec,
    home: Path,
    client: HubClient | None = None,
    repo_opts: RepoOptions | None = None,
    progress: Progress | None = None,
) -> dict:
    """Crawl (or resume crawling) `spec.endpoint` into the warehouse under `home`; returns the crawls row."""
    client = client or HubClient(spec.endpoint)
    progress = progress or Progress()
    with CrawlLock(lake_dir(home)):
        session = CrawlSession.open(lake_dir(home), spec)
        run_model_listing(session, client, progress)
        resolve_parent_aliases(session, client, warehouse_path(home), progress)
        if spec.mode == "full":
            run_repos(session, client, warehouse_path(home), opts=repo_opts, progress=progress)
            run_space_listing(session, client, progress)
        return finish_crawl(session, home)
