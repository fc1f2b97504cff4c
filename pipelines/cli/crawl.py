"""`hubmine crawl`: a hub into the warehouse, through the crawl assets run in-process."""

from __future__ import annotations

import os
import sys
import time

from pipelines import config
from pipelines.cli.options import default_option, endpoint_option, positive_int, progress_option, verb
from pipelines.cli.progress import progress_display
from pipelines.crawl.client import probe_endpoint
from pipelines.crawl.gitremote import default_history
from pipelines.crawl.session import CrawlSpec
from pipelines.crawl.state import describe, resumable
from pipelines.resources import HubResource
from pipelines.runner import crawl_outcome, materialize_crawl
from warehouse.paths import data_dir, lake_dir, warehouse_path


def cmd_crawl(args) -> int:
    data = data_dir()
    endpoint = config.normalize_endpoint(args.endpoint)
    probe_endpoint(endpoint, os.environ.get("HF_TOKEN") or None)
    hub = HubResource(
        endpoint=endpoint, timeout_s=args.timeout, max_retries=args.max_retries, concurrency=args.concurrency
    )
    mode: config.CrawlMode = "metadata" if args.metadata_only else "full"
    if mode == "full" and args.history is None:
        args.history = default_history()
    history = f", history via {args.history}" if mode == "full" else ""
    spec = CrawlSpec(
        endpoint, mode, args.author, args.search, args.limit, **({"history": args.history} if args.history else {})
    )
    resumed = resumable(lake_dir(data), spec)
    if resumed is not None:
        print(f"resuming crawl {resumed.crawl_id} ({describe(resumed)})", file=sys.stderr)
    print(f"crawling {endpoint} ({mode}{_scope(args)}{history}) into {warehouse_path(data)}", file=sys.stderr)
    t0 = time.monotonic()
    with progress_display(args.no_progress) as progress:
        result = materialize_crawl(
            data,
            hub,
            mode=mode,
            author=args.author,
            search=args.search,
            limit=args.limit,
            progress=progress,
            repo_config={"max_tree_commits": args.max_tree_commits, "fetch_configs": args.fetch_configs},
            history=args.history,
        )
    row = crawl_outcome(data, result)
    print(
        f"crawl {row['crawl_id']} finished in {time.monotonic() - t0:.1f}s: {row['models_seen']} models "
        f"({row['models_changed']} new or changed), {row['repos_fetched']} repos fetched, "
        f"{row['spaces_seen']} spaces; requests: {row['api_requests']} api, {row['resolver_requests']} resolver, "
        f"{row['git_requests']} git ({row['retries']} retries), {row.get('alias_requests') or 0} parent-id "
        f"lookups; {row['errors']} records quarantined (see crawl_errors)"
    )
    print(f"warehouse: {warehouse_path(data)}")
    return 0


def _scope(args) -> str:
    parts = [f"{k}={v}" for k, v in (("author", args.author), ("search", args.search), ("limit", args.limit)) if v]
    return ", " + ", ".join(parts) if parts else ", whole hub"


def register(sub) -> None:
    c = verb(
        sub,
        "crawl",
        "Crawl a Hugging Face-compatible hub into $HUBMINE_HOME/warehouse.duckdb. One "
        "listing pass gives all per-model metadata; per-repo work (cards, commits, files, "
        "refs) is done only for repos whose sha changed since the last crawl. A killed "
        "crawl resumes where it stopped when run again with the same options.",
        cmd_crawl,
    )
    endpoint_option(c)
    c.add_argument("--limit", type=positive_int, help="crawl only the first N models of the listing")
    c.add_argument("--author", help="only models of this user or organisation")
    c.add_argument("--search", help="only models whose id contains this text")
    c.add_argument(
        "--metadata-only",
        action="store_true",
        help="listing only (about N/1000 requests, plus one "
        "lookup per declared parent id no crawled model has): no cards, commits, refs or spaces",
    )
    default_option(c, "--concurrency", config.CONCURRENCY, "parallel per-repo requests", type=positive_int)
    default_option(c, "--timeout", config.TIMEOUT_S, "HTTP timeout in seconds")
    default_option(c, "--max-retries", config.MAX_RETRIES, "retries of a failed call before it is quarantined")
    c.add_argument(
        "--history",
        choices=config.HISTORY_MODES,
        help="read commit history through git (one blobless "
        "partial clone per changed repo) or the REST API (a tree listing per new commit); default: git "
        "when a git >= 2.30 is on PATH, else api",
    )
    c.add_argument(
        "--max-tree-commits",
        type=int,
        default=config.MAX_TREE_COMMITS,
        help="api history: files-changed diffs for at most this many newest commits per repo (default %(default)s; "
        "git history has no such limit)",
    )
    default_option(
        c,
        "--fetch-configs",
        config.FETCH_CONFIGS,
        "download config.json for all repos, only those declaring no base model, or none",
        choices=config.FETCH_CONFIGS_MODES,
    )
    progress_option(c)
