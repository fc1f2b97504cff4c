"""Writing BOMs: one model to a file or stdout, or many into a directory, from a read-only warehouse."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from analyses.bom import cyclonedx, spdx
from analyses.bom.facts import read_facts
from pipelines.config import BOM_FORMATS, BomFormat

FORMATS: dict[BomFormat, str] = {"cyclonedx": ".cdx.json", "spdx": ".spdx3.json"}  # file suffixes


def tool_version() -> str:
    try:
        return version("hubmine")
    except PackageNotFoundError:
        return "0.0.0"


@dataclass
class Written:
    model_id: str
    text: str
    ancestors: int
    models: int  # the model and its ancestors
    files: int  # weight files with a sha256
    datasets: int
    size: int = 0  # bytes of the UTF-8 document

    @property
    def components(self) -> int:
        return self.models + self.files + self.datasets

    def summary(self) -> str:
        return f"{self.ancestors} ancestors, {self.files} weight files, {self.datasets} datasets, {self.size:,} bytes"


def render(con: duckdb.DuckDBPyConnection, model_id: str, fmt: BomFormat, crawl: dict) -> Written:
    """The BOM of one crawled model as text."""
    facts = read_facts(con, model_id, crawl)
    files = sum(len(m.weight_files) for m in facts.models.values())
    datasets = len({str(d) for m in facts.models.values() for d in m.row.get("datasets") or [] if d})
    if fmt == "cyclonedx":
        text = json.dumps(cyclonedx.build(facts, tool_version()), indent=1, ensure_ascii=False, default=str)
    elif fmt == "spdx":
        text = spdx.build(facts, tool_version())
    else:
        raise ValueError(f"unknown BOM format {fmt!r}; choose from {', '.join(BOM_FORMATS)}")
    text += "\n"
    return Written(
        model_id, text, len(facts.ancestors()), len(facts.models), files, datasets, len(text.encode("utf-8"))
    )


def file_name(model_id: str, fmt: BomFormat) -> str:
    return model_id.replace("/", "__") + FORMATS[fmt]


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file beside `path` and rename: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_many(
    con: duckdb.DuckDBPyConnection, model_ids: list[str], out_dir: Path, fmt: BomFormat, crawl: dict, progress=None
) -> tuple[list[Written], dict[str, str]]:
    """BOMs of each model into out_dir; a model that fails is reported with its error, the others are written."""
    done, failed = [], {}
    for i, mid in enumerate(model_ids, start=1):
        try:
            w = render(con, mid, fmt, crawl)
            write_atomic(out_dir / file_name(mid, fmt), w.text)
            w.text = ""
            done.append(w)
        except Exception as e:  # noqa: BLE001 - one bad model must not stop the others; the error is reported
            failed[mid] = f"{type(e).__name__}: {e}"
        if progress:
            progress(i, len(model_ids))
    return done, failed
