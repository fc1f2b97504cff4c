"""The explorer's named queries (queries.sql), read once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dashboards.data_access import named_queries

QUERIES = Path(__file__).parent / "queries.sql"


@lru_cache(maxsize=1)
def queries() -> dict[str, str]:
    return named_queries(QUERIES)
