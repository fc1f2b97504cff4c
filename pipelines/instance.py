"""The Dagster instance hubmine uses: persistent storage under <data dir>/dagster, telemetry off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg

from warehouse.paths import dagster_home

TEMPLATE = Path(__file__).resolve().parent.parent / "dagster.yaml"
PACKAGED = Path(__file__).resolve().parent / "dagster.yaml"


def ensure_dagster_home(home: Path) -> Path:
    d = Path(os.environ.get("DAGSTER_HOME") or dagster_home(home))
    d.mkdir(parents=True, exist_ok=True)
    cfg = d / "dagster.yaml"
    if not cfg.exists():
        src = TEMPLATE if TEMPLATE.exists() else PACKAGED
        if src.exists():
            shutil.copyfile(src, cfg)
        else:
            cfg.write_text("telemetry:\n  enabled: false\n")
    return d


def instance_for(home: Path) -> dg.DagsterInstance:
    d = ensure_dagster_home(home)
    os.environ["DAGSTER_HOME"] = str(d)
    return dg.DagsterInstance.get()
