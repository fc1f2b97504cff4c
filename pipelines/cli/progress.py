"""How `hubmine crawl` and `hubmine demo` show a crawl going: bars on a terminal, else log lines."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pipelines.crawl.progress import LogProgress, Progress, stderr_logger
from pipelines.crawl.progress_rich import RichProgress


@contextmanager
def progress_display(disabled: bool) -> Iterator[Progress]:
    """Rich bars while stderr is a terminal (and --no-progress was not given), else a log line per stage every
    few seconds; both written as the crawl goes."""
    if disabled or not sys.stderr.isatty():
        yield LogProgress(stderr_logger(), every_s=5.0)
        return
    with RichProgress() as bars:
        yield bars
