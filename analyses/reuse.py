"""Reuse: how concentrated downloads and likes are, how many derivatives base models have, which models
(and organisations) spaces use, and the collaboration network of commit authors (Osborne et al.)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import polars as pl

from pipelines.config import RELATIONS

GROUPINGS = ("pipeline_tag", "library_name", "author")
MIN_GROUP = 20  # groups smaller than this get no concentration row


def gini(values) -> float | None:
    """Gini coefficient of non-negative values (0 = equal, -> 1 = one holds everything)."""
    x = np.sort(np.asarray([v for v in values if v is not None], dtype=float))
    n = x.size
    if n == 0 or x.sum() == 0:
        return None
    return float((2 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def top_share(values, fraction: float = 0.01) -> float | None:
    x = np.sort(np.asarray([v for v in values if v is not None], dtype=float))[::-1]
    if x.size == 0 or x.sum() == 0:
        return None
    k = max(1, int(round(x.size * fraction)))
    return float(x[:k].sum() / x.sum())


def concentration(models: pl.DataFrame) -> pl.DataFrame:
    """Gini, top-1% share and zero share of downloads and likes, hub-wide and per pipeline/library/author."""
    rows = []

    def add(grouping: str, group: str, frame: pl.DataFrame) -> None:
        for metric in ("downloads", "likes"):
            vals = frame[metric].fill_null(0).to_list()
            rows.append(
                (
                    grouping,
                    group,
                    metric,
                    len(vals),
                    gini(vals),
                    top_share(vals),
                    sum(v == 0 for v in vals) / len(vals) if vals else None,
                    float(sum(vals)),
                )
            )

    add("hub", "all", models)
    for grouping in GROUPINGS:
        for (group,), frame in models.filter(pl.col(grouping).is_not_null()).group_by([grouping]):
            if frame.height >= MIN_GROUP:
                add(grouping, group, frame)
    return pl.DataFrame(
        rows,
        schema={
            "grouping": pl.String,
            "group_value": pl.String,
            "metric": pl.String,
            "models": pl.Int64,
            "gini": pl.Float64,
            "top1_share": pl.Float64,
            "zero_share": pl.Float64,
            "total": pl.Float64,
        },
        orient="row",
    ).sort("grouping", "metric", "models", descending=[False, False, True])


def lorenz(models: pl.DataFrame, points: int = 101) -> pl.DataFrame:
    """Lorenz curve of downloads: share of downloads held by the bottom x of models."""
    x = np.sort(models["downloads"].fill_null(0).to_numpy().astype(float))
    if x.size == 0 or x.sum() == 0:
        return pl.DataFrame(schema={"model_share": pl.Float64, "download_share": pl.Float64})
    cum = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    q = np.linspace(0, 1, points)
    return pl.DataFrame({"model_share": q, "download_share": np.interp(q, np.linspace(0, 1, cum.size), cum)})


def base_model_reuse(edges: pl.DataFrame) -> pl.DataFrame:
    """In-degree of parents: how many declared derivatives each has, by relation."""
    return (
        edges.filter(pl.col("child_id") != pl.col("parent_id"))
        .group_by("parent_id")
        .agg(
            pl.len().cast(pl.Int64).alias("derivatives"),
            *[(pl.col("relation") == r).sum().cast(pl.Int64).alias(r) for r in RELATIONS],
            pl.col("parent_present").first().alias("parent_in_warehouse"),
        )
        .rename({"parent_id": "model_id"})
        .sort("derivatives", "model_id", descending=[True, False])
    )


def space_usage(usage: pl.DataFrame, cap: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(models by the number of spaces using them, organisations by the spaces using their models).

    The Hub names at most `cap` spaces per model in a listing; a model whose listing hit the cap and whose
    spaces the spaces listing did not show beyond it has a count that is only a lower bound (`at_least`),
    and so has its organisation's.
    """
    by_model = (
        usage.group_by("model_id", "author")
        .agg(pl.col("space_id").n_unique().cast(pl.Int64).alias("spaces"), pl.col("spaces_capped").any())
        .with_columns((pl.col("spaces_capped") & (pl.col("spaces") <= cap)).alias("at_least"))
        .drop("spaces_capped")
        .sort("spaces", "model_id", descending=[True, False])
    )
    capped = by_model.filter(pl.col("at_least")).select("model_id")
    by_org = (
        usage.with_columns(pl.col("model_id").is_in(capped["model_id"].implode()).alias("at_least"))
        .group_by("author")
        .agg(
            pl.col("space_id").n_unique().cast(pl.Int64).alias("spaces"),
            pl.col("model_id").n_unique().cast(pl.Int64).alias("models_used"),
            pl.col("at_least").any(),
        )
        .with_columns((pl.col("spaces") / usage["space_id"].n_unique()).alias("share_of_spaces"))
        .sort("spaces", "author", descending=[True, False])
    )
    return by_model, by_org


def collaboration(authors: pl.DataFrame) -> pl.DataFrame:
    """Directed network author -> owner of a repo they committed to (self-commits make no edge): share of
    isolates, reciprocity among the rest, and the core (the graph's main k-core) versus the periphery."""
    g = nx.DiGraph()
    for author, owner, _ in authors.iter_rows():
        g.add_node(author)
        if owner:
            g.add_node(owner)
            if owner != author:
                g.add_edge(author, owner)
    n = g.number_of_nodes()
    isolates = nx.number_of_isolates(g)
    connected = g.subgraph([v for v in g if g.degree(v) > 0])
    und = nx.Graph(connected.to_undirected())
    core_k = max(nx.core_number(und).values()) if und.number_of_nodes() else 0
    core = nx.k_core(und, core_k) if core_k else nx.Graph()
    metrics = [
        ("developers", float(n)),
        ("collaboration_edges", float(g.number_of_edges())),
        ("isolates_share", isolates / n if n else None),
        ("reciprocity", nx.reciprocity(connected) if connected.number_of_edges() else None),
        ("core_k", float(core_k)),
        ("core_size", float(core.number_of_nodes())),
        (
            "core_share_of_connected",
            core.number_of_nodes() / connected.number_of_nodes() if connected.number_of_nodes() else None,
        ),
        ("components", float(nx.number_weakly_connected_components(connected)) if n else 0.0),
    ]
    return pl.DataFrame(metrics, schema={"metric": pl.String, "value": pl.Float64}, orient="row")
