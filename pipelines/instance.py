"""The Dagster instance hubmine uses: persistent storage under <data dir>/dagster, telemetry off."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

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


# In-process runs of the CLI write step output straight to the terminal: Dagster's capture would hold it
# back until a step ends (no live progress) and its helper processes would print tracebacks on Ctrl-C.
NO_CAPTURE = {
    "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager", "class": "NoOpComputeLogManager"}
}


def instance_for(home: Path) -> dg.DagsterInstance:
    """The data dir's instance (run history shared with `make dagster`), without step output capture."""
    d = ensure_dagster_home(home)
    os.environ["DAGSTER_HOME"] = str(d)
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(d), overrides=NO_CAPTURE))
