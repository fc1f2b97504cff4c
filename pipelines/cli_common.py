"""Small helpers shared by the CLI modules."""

from __future__ import annotations

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
