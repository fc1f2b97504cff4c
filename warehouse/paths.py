"""Where hubmine keeps its data: `$HUBMINE_HOME` if set, else ./data."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("HUBMINE_HOME") or "data").resolve()


def warehouse_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / "warehouse.duckdb"


def lake_dir(home: Path | None = None) -> Path:
    return (home or data_dir()) / "lake"


def dashboards_dir(home: Path | None = None) -> Path:
    return (home or data_dir()) / "dashboards"


def dagster_home(home: Path | None = None) -> Path:
    return (home or data_dir()) / "dagster"
