"""Versioning practice: variant types with their evidence, version series and their steps, and whether a
change of weights was recorded by a release tag, the card or a versioned name (Ajibode et al.).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import polars as pl

from analyses.commits import COMMIT_KEY
from analyses.naming import ParsedName, parse_name, variant_from_name

RELATION_VARIANT = {"quantized": "quantized", "adapter": "adapter", "merge": "merged"}
FILE_SIGNS = (  # (variant, test on a file name)
    ("quantized", lambda f: f.endswith((".gguf", ".ggml")) or f in ("quantize_config.json", "quant_config.json")),
    (
        "adapter",
        lambda f: f.rsplit("/", 1)[-1] in ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin"),
    ),
    ("merged", lambda f: f.rsplit("/", 1)[-1] in ("mergekit_config.yml", "mergekit_config.yaml")),
)
TAG_SIGNS = {
    "gguf": "quantized",
    "awq": "quantized",
    "gptq": "quantized",
    "exl2": "quantized",
    "4-bit": "quantized",
    "8-bit": "quantized",
    "bitsandbytes": "quantized",
    "peft": "adapter",
    "lora": "adapter",
    "mergekit": "merged",
    "merge": "merged",
}
REFINED_FINETUNES = ("distilled", "compressed", "deduplicated")


def variant_type(
    relations: list[str], files: list[str], tags: list[str], parsed: ParsedName, has_children: bool
) -> tuple[str, str]:
    """(variant, evidence): declared relation first, then files, tags and finally the name."""
    by_name, name_evidence = variant_from_name(parsed)
    for rel in relations:
        if rel in RELATION_VARIANT:
            return RELATION_VARIANT[rel], f"relation:{rel}"
    for variant, test in FILE_SIGNS:
        hit = next((f for f in files if test(f)), None)
        if hit:
            return variant, f"file:{hit}"
    for t in tags:
        if t in TAG_SIGNS:
            return TAG_SIGNS[t], f"tag:{t}"
    if relations:
        return (by_name if by_name in REFINED_FINETUNES else "finetuned"), (
            name_evidence if by_name in REFINED_FINETUNES else f"relation:{relations[0]}"
        )
    if has_children or by_name == "base":
        return "base", "lineage:has derivatives" if has_children else name_evidence
    return by_name, name_evidence


def variant_types(models: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    rels = defaultdict(list)
    children = set()
    for child, parent, rel in edges.select("child_id", "parent_id", "relation").iter_rows():
        rels[child].append(rel)
        children.add(parent)
    rows = []
    for mid, siblings, tags in models.select("model_id", "siblings", "tags").iter_rows():
        parsed = parse_name(mid)
        variant, evidence = variant_type(
            sorted(set(rels.get(mid, []))), siblings or [], tags or [], parsed, mid in children
        )
        rows.append((mid, variant, evidence, parsed.convention))
    return pl.DataFrame(
        rows,
        schema={"model_id": pl.String, "variant": pl.String, "evidence": pl.String, "naming_convention": pl.String},
        orient="row",
    )


def naming_conventions(variants: pl.DataFrame) -> pl.DataFrame:
    """How many models follow each convention, with an example."""
    return (
        variants.group_by("naming_convention")
        .agg(
            pl.len().cast(pl.Int64).alias("models"),
            pl.col("model_id").min().alias("example"),
            pl.col("naming_convention").str.count_matches(r"\{").first().cast(pl.Int32).alias("segments"),
        )
        .with_columns((pl.col("models") / pl.col("models").sum()).alias("share"))
        .sort("models", "naming_convention", descending=[True, False])
    )


# -- version series ------------------------------------------------------------------------------------
VERSION_NUM = re.compile(r"(\d+)(?:[._](\d+))?(?:[._](\d+))?")
SERIES_KINDS = ("version", "creation-date", "size")


def _version_tuple(text: str | None) -> tuple[int, int, int] | None:
    m = VERSION_NUM.search(text or "")
    return tuple(int(g or 0) for g in m.groups()) if m else None  # type: ignore[return-value]


def _size_value(text: str | None) -> float:
    m = re.match(r"(?i)(\d+(?:\.\d+)?)([kmbt])", text or "")
    if not m:
        return float("inf")
    return float(m.group(1)) * {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[m.group(2).lower()]


def version_series(models: pl.DataFrame) -> pl.DataFrame:
    """Models of one author sharing a stem once version, date and size are taken out, in release order."""
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for mid, author, created in models.select("model_id", "author", "created_at").iter_rows():
        p = parse_name(mid)
        marks = {k: next(iter(p.texts(k)), None) for k in SERIES_KINDS}
        if not any(marks.values()):
            continue
        stem = "-".join(t.lower() for k, t in p.segments if k not in SERIES_KINDS)
        groups[(author or "", stem)].append((mid, marks, created))
    rows = []
    for (author, stem), members in groups.items():
        if len(members) < 2:
            continue
        series_id = f"{author}/{stem}"
        ordered = sorted(
            members,
            key=lambda m: (
                _version_tuple(m[1]["version"]) or (-1, -1, -1),
                m[1]["creation-date"] or "",
                _size_value(m[1]["size"]),
                m[2] or 0,
                m[0],
            ),
        )
        prev = None
        for pos, (mid, marks, _created) in enumerate(ordered, start=1):
            rows.append(
                (
                    series_id,
                    author,
                    stem,
                    mid,
                    pos,
                    marks["version"],
                    marks["creation-date"],
                    marks["size"],
                    _step(prev, marks),
                )
            )
            prev = marks
    return pl.DataFrame(
        rows,
        schema={
            "series_id": pl.String,
            "author": pl.String,
            "stem": pl.String,
            "model_id": pl.String,
            "position": pl.Int32,
            "version": pl.String,
            "release_date": pl.String,
            "size": pl.String,
            "step": pl.String,
        },
        orient="row",
    )


def _step(prev: dict | None, cur: dict) -> str:
    """How a series member differs from the one before: major, minor, patch, date, size or same."""
    if prev is None:
        return "first"
    a, b = _version_tuple(prev["version"]), _version_tuple(cur["version"])
    if a and b and a != b:
        return "major" if a[0] != b[0] else "minor" if a[1] != b[1] else "patch"
    if prev["creation-date"] != cur["creation-date"]:
        return "date"
    if prev["size"] != cur["size"]:
        return "size"
    return "same"


# -- weight changes and how they were recorded -------------------------------------------------------
def weight_changes(commits: pl.DataFrame, activity: pl.DataFrame) -> pl.DataFrame:
    """Each commit that added or modified weight files, and what recorded it: a release tag on the commit,
    the card changed in the same commit, or (for a model's first weights) a version in its name."""
    tagged = {c for commits_ in activity["tag_commits"].to_list() if commits_ for c in commits_}
    versioned = {mid for mid in activity["model_id"].to_list() if parse_name(mid).has("version")}
    rows = []
    first_seen: set[str] = set()
    known = commits.filter(pl.col("files_known")).sort("model_id", "position")
    for mid, cid, pos, date, files, n_weights in known.select(
        "model_id", "commit_id", "position", "date", "files", "weight_files"
    ).iter_rows():
        if not n_weights:
            continue
        first = mid not in first_seen
        first_seen.add(mid)
        if cid in tagged:
            by = "tag"
        elif any(f.lower().endswith("readme.md") for f in files or ()):
            by = "card"
        elif first and mid in versioned:
            by = "name"
        else:
            by = "none"
        rows.append((mid, cid, pos, date, n_weights, first, by))
    return pl.DataFrame(
        rows,
        schema={
            **COMMIT_KEY,
            "weight_files": pl.Int32,
            "first_upload": pl.Boolean,
            "recorded_by": pl.String,
        },
        orient="row",
    )


def versioning_summary(
    changes: pl.DataFrame, series: pl.DataFrame, variants: pl.DataFrame, conventions: pl.DataFrame
) -> pl.DataFrame:
    """Headline figures, each computed from the tables above (compare with docs/published_figures.md)."""
    n = changes.height
    by = Counter(changes["recorded_by"].to_list())
    steps = Counter(series.filter(pl.col("step") != "first")["step"].to_list())
    rows = [
        ("weight_changes", float(n), "commits that added or modified weight files"),
        (
            "weight_changes_not_recorded_share",
            by["none"] / n if n else None,
            "share of weight changes recorded by no tag, card change or versioned name",
        ),
        *[
            (f"weight_changes_recorded_by_{k}_share", by[k] / n if n else None, f"recorded by {k}")
            for k in ("tag", "card", "name")
        ],
        ("naming_conventions", float(conventions.height), "distinct naming conventions"),
        ("version_series", float(series["series_id"].n_unique()) if series.height else 0.0, "series of 2+ models"),
        *[
            (f"series_steps_{k}", float(v), f"{k} steps between consecutive series members")
            for k, v in sorted(steps.items())
        ],
        ("base_models", float(variants.filter(pl.col("variant") == "base").height), "models classified as base"),
    ]
    return pl.DataFrame(rows, schema={"metric": pl.String, "value": pl.Float64, "description": pl.String}, orient="row")
