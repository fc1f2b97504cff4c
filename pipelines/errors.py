"""Which exceptions the CLI reports as one clear line (anything else shows its traceback)."""

from __future__ import annotations

import duckdb


def user_facing(e: BaseException) -> str | None:
    from pipelines.crawl.session import CrawlBusy
    from pipelines.runner import RunFailed
    from warehouse.query import WarehouseBusy, WarehouseMissing

    from analyses.bayes import QueryError
    from analyses.weights.errors import WeightCheckError
    from analyses.weights.safety import UnsafeCheckpoint
    from warehouse.results import NoCrawl

    if isinstance(e, (WarehouseMissing, WarehouseBusy, CrawlBusy, RunFailed, QueryError, NoCrawl, UnsafeCheckpoint,
                      WeightCheckError)):
        return str(e)
    if isinstance(e, duckdb.Error):
        return " ".join(str(e).split())
    if isinstance(e, (FileNotFoundError, PermissionError, ValueError, ConnectionError)):
        return f"{type(e).__name__}: {e}"
    if isinstance(e, OSError) and e.errno is not None:
        return f"{e.strerror or e} ({getattr(e, 'filename', '') or ''})".strip()
    return None
