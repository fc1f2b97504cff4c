"""Small helpers shared by the CLI modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def read_text(path: str) -> str:
    """A FILE argument's text, or stdin's for "-"; undecodable bytes become U+FFFD instead of failing."""
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", errors="replace")


def home() -> Path:
    from warehouse.paths import data_dir

    return data_dir()


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse prints the one-line usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class ProgressDisplay:
    """Bars on a terminal, else a log line per stage every few seconds; both written as the crawl goes."""

    def __init__(self, disabled: bool):
        self.disabled = disabled or not sys.stderr.isatty()
        self.impl = None

    def __enter__(self):
        from pipelines.crawl.progress import LogProgress, stderr_logger

        if self.disabled:
            return LogProgress(stderr_logger(), every_s=5.0)
        from pipelines.crawl.progress_rich import RichProgress

        self.impl = RichProgress().__enter__()
        return self.impl

    def __exit__(self, *exc):
        if self.impl is not None:
            self.impl.__exit__(*exc)
