"""Small helpers shared by the CLI modules."""

from __future__ import annotations

from pathlib import Path


def home() -> Path:
    from warehouse.paths import data_dir

    return data_dir()
