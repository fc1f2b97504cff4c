"""Inferred lineage: parents a repo shows without declaring them in its card.

Sources: adapter_config.json `base_model_name_or_path`, config.json `_name_or_path`, mergekit_config.yml
(gathered by the crawl into lineage_edges), and names: a repo called `<base>-GGUF` (or -AWQ, -GPTQ, -exl2,
-4bit, -LoRA, ...) most likely packages `<base>`. Each inferred edge is compared with what the child declares.
"""

from __future__ import annotations

import re
from collections import defaultdict

import polars as pl

from pipelines.config import Relation

# name suffix -> relation it implies; matched case-insensitively at the end of the repo name
NAME_SUFFIXES = re.compile(
    r"[-_.](?:(?P<quantized>gguf|ggml|awq|gptq|exl2|mlx|bnb|int4|int8|fp8|nf4|\d(?:\.\d+)?bpw(?:-h\d)?|[2348]bit|"
    r"q[2-8]_k(?:_[sml])?|q[48]_0|iq[1-4]_\w+)|(?P<adapter>lora|qlora|adapter|peft))"
    r"(?:[-_.](?:gguf|awq|gptq|exl2|mlx|bnb|[2348]bit|imatrix|i1|q[2-8]_k(?:_[sml])?|q[48]_0|h\d))*$",
    re.I,
)


def name_stem(model_id: str) -> tuple[str, Relation] | None:
    """(`stem`, relation) when the repo name ends in a packaging suffix, else None."""
    name = model_id.rsplit("/", 1)[-1]
    m = NAME_SUFFIXES.search(name)
    if not m or m.start() == 0:
        return None
    return name[: m.start()], "quantized" if m.group("quantized") else "adapter"


def name_edges(models: pl.DataFrame) -> pl.DataFrame:
    """Edges implied by names: the model whose name is the stem (same author first, else most downloaded)."""
    by_name: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for model_id, author, downloads in models.select("model_id", "author", "downloads").iter_rows():
        by_name[model_id.rsplit("/", 1)[-1].lower()].append((model_id, author or "", downloads or 0))
    rows = []
    for model_id, author in models.select("model_id", "author").iter_rows():
        hit = name_stem(model_id)
        if hit is None:
            continue
        stem, relation = hit
        candidates = [c for c in by_name.get(stem.lower(), []) if c[0] != model_id]
        if not candidates:
            continue
        same_author = [c for c in candidates if c[1] == (author or "")]
        parent = max(same_author or candidates, key=lambda c: (c[2], c[0]))[0]
        rows.append((model_id, parent, relation, "name", True))
    return pl.DataFrame(rows, schema=EDGE_SCHEMA, orient="row")


EDGE_SCHEMA = pl.Schema(
    {
        "child_id": pl.String,
        "parent_id": pl.String,
        "relation": pl.String,
        "source": pl.String,
        "parent_present": pl.Boolean,
    }
)


def compare_with_declared(inferred: pl.DataFrame, declared: pl.DataFrame) -> pl.DataFrame:
    """Each inferred edge with the child's declared parents and whether they agree."""
    parents = declared.group_by("child_id").agg(pl.col("parent_id").sort().alias("declared_parents"))
    out = inferred.join(parents, on="child_id", how="left").with_columns(
        pl.col("declared_parents").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    )
    return (
        out.with_columns(
            pl.when(pl.col("declared_parents").list.len() == 0)
            .then(pl.lit("undeclared"))
            .when(pl.col("declared_parents").list.contains(pl.col("parent_id")))
            .then(pl.lit("confirms"))
            .otherwise(pl.lit("conflicts"))
            .alias("agreement"),
        )
        .rename({"parent_present": "parent_in_warehouse"})
        .sort("child_id", "parent_id", "source")
    )


def inferred_edges(repo_edges: pl.DataFrame, models: pl.DataFrame, declared: pl.DataFrame) -> pl.DataFrame:
    both = pl.concat([repo_edges.select(EDGE_SCHEMA.keys()).cast(EDGE_SCHEMA), name_edges(models)])
    return compare_with_declared(both.unique(["child_id", "parent_id", "source"], keep="first"), declared)
