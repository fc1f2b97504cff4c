"""The paginated listings of a crawl (models, spaces), landed page by page.

One pass of list_models with expand returns every per-model field the warehouse needs, so a
metadata-only crawl of N models costs about N/1000 requests. Each page lands as one unit with the next
page's cursor in its metadata; a resumed crawl continues from the last landed page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pipelines.crawl.client import HubClient
from pipelines.crawl.progress import Progress
from pipelines.crawl.records import LISTING_TABLES, Rows, model_rows, space_rows
from pipelines.crawl.session import CrawlSession
from warehouse.lake import publish_unit, unit_meta, units

PageIter = Callable[[str | None], Iterator[tuple[list, str, str | None]]]


def delta(after: dict, before: dict) -> dict:
    return {k: after[k] - before.get(k, 0) for k in after}


def land_pages(
    session: CrawlSession,
    stage: str,
    client: HubClient,
    pages: PageIter,
    tables: tuple[str, ...],
    to_rows: Callable,
    progress: Progress,
    limit: int | None = None,
) -> dict:
    """Land every page of a listing from where the last landed page left off."""
    if session.stage_done(stage):
        return session.manifest["stages"][stage]
    stage_dir = session.root / stage
    landed = units(stage_dir)
    seen = sum(unit_meta(u)["items"] for u in landed)
    n = len(landed)
    progress.task(stage, limit)
    progress.advance(stage, seen)
    if not landed or unit_meta(landed[-1])["next_url"] is not None:
        start_url = unit_meta(landed[-1])["next_url"] if landed else None
        before = client.counter.snapshot()
        for items, url, next_url in pages(start_url):
            if limit is not None:
                items = items[: max(0, limit - seen)]
                if seen + len(items) >= limit:
                    next_url = None
            rows = Rows(*tables)
            for item in items:
                to_rows(item, rows)
            n += 1
            after = client.counter.snapshot()
            publish_unit(
                stage_dir / f"page-{n:06d}",
                rows.tables,
                {"url": url, "next_url": next_url, "items": len(items), "requests": delta(after, before)},
            )
            before = after
            seen += len(items)
            progress.advance(stage, len(items))
            if next_url is None:
                break
    progress.done(stage)
    session.finish_stage(stage, items=seen, pages=n)
    return session.manifest["stages"][stage]


def run_model_listing(session: CrawlSession, client: HubClient, progress: Progress | None = None) -> dict:
    spec = session.spec
    return land_pages(
        session,
        "listing",
        client,
        lambda start: client.model_pages(author=spec.author, search=spec.search, limit=spec.limit, start_url=start),
        LISTING_TABLES,
        model_rows,
        progress or Progress(),
        spec.limit,
    )


def run_space_listing(session: CrawlSession, client: HubClient, progress: Progress | None = None) -> dict:
    spec = session.spec
    return land_pages(
        session,
        "spaces",
        client,
        lambda start: client.space_pages(author=spec.author, search=spec.search, start_url=start),
        ("spaces", "space_models"),
        space_rows,
        progress or Progress(),
    )
