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


def warehouse_version(path: Path) -> tuple:
    """What changes when a writer changes the warehouse file (size and mtime of the file and its WAL)."""
    out: tuple = ()
    for p in (Path(path), Path(f"{path}.wal")):
        st = os.stat(p) if p.exists() else None
        out += (st.st_size, st.st_mtime_ns) if st else (None, None)
    return out
