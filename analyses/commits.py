"""Commit taxonomy: each commit gets the categories of the extended ML change taxonomy (Castaño et al.)
whose rules match its title/message or the files it changed. Rules are data (data/commit_rules.csv):
`title` rules read title and message, `file` rules any changed file, `file_only` rules apply only when
no title rule matched (a bare weight upload is Sharing, a weight change titled "Training ..." is not).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

RULES = Path(__file__).parent / "data" / "commit_rules.csv"
FIELDS = ("title", "file", "file_only")
BULK_FILES = 4
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".onnx")


@dataclass(frozen=True)
class CommitRule:
    category: str
    field: str
    pattern: re.Pattern


@lru_cache(maxsize=1)
def commit_rules(path: Path = RULES) -> tuple[CommitRule, ...]:
    rules = []
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            if row["field"] not in FIELDS:
                raise ValueError(f"{path}:{i}: field {row['field']!r} is not one of {', '.join(FIELDS)}")
            rules.append(CommitRule(row["category"], row["field"], re.compile(row["pattern"])))
    return tuple(rules)


def categorize(title: str | None, message: str | None, files: list[str] | None) -> dict[str, str]:
    """category -> the rule that fired (`title:<match>` or `file:<path>`)."""
    text = f"{title or ''}\n{message or ''}"
    found: dict[str, str] = {}
    for rule in commit_rules():
        if rule.field == "title" and rule.category not in found:
            m = rule.pattern.search(text)
            if m:
                found[rule.category] = f"title:{m.group(0)}"
    title_matched = bool(found)
    if files and len(files) > BULK_FILES:  # a bulk upload: judge by the card and weights only
        files = [f for f in files if f.lower().endswith(("readme.md",) + WEIGHT_SUFFIXES)]
    for rule in commit_rules():
        if rule.category in found or rule.field == "title" or (rule.field == "file_only" and title_matched):
            continue
        hit = next((f for f in files or () if rule.pattern.search(f)), None)
        if hit:
            found[rule.category] = f"file:{hit}"
    return found


# the columns that name one commit in every per-commit result table
COMMIT_KEY: dict[str, pl.DataType | type[pl.DataType]] = {
    "model_id": pl.String,
    "commit_id": pl.String,
    "position": pl.Int32,
    "date": pl.Datetime("us"),
}


def commit_categories(commits: pl.DataFrame) -> pl.DataFrame:
    """One row per (commit, category); commits whose files are unknown are judged by their text alone."""
    rows: list[tuple] = []
    for mid, cid, pos, date, title, message, files in commits.select(
        "model_id", "commit_id", "position", "date", "title", "message", "files"
    ).iter_rows():
        cats = categorize(title, message, files)
        for cat, evidence in cats.items():
            rows.append((mid, cid, pos, date, cat, evidence))
        if not cats:
            rows.append((mid, cid, pos, date, "Unclassified", None))
    return pl.DataFrame(
        rows,
        schema={**COMMIT_KEY, "category": pl.String, "evidence": pl.String},
        orient="row",
    )
