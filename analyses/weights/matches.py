"""Undeclared lineage from the weights: the nearest older checkpoint by fingerprint, for models that declare
no base or whose declared base the weights contradict (source 'weights' in weight_matches)."""

from __future__ import annotations

import networkx as nx
import polars as pl

from analyses.weights.fingerprint import Fingerprint, nearest_parent

MATCH_SCHEMA = {
    "child_id": pl.String,
    "parent_id": pl.String,
    "source": pl.String,
    "relation": pl.String,
    "distance": pl.Float64,
    "runner_up": pl.Float64,
    "matrices": pl.Int32,
    "reason": pl.String,
}


def find_matches(
    fps: list[Fingerprint], queries: pl.DataFrame, dates: pl.DataFrame, declared: pl.DataFrame
) -> pl.DataFrame:
    """queries: model_id, contradicted; dates: model_id, created_at; declared: child_id, parent_id."""
    created = dict(dates.select("model_id", "created_at").iter_rows())
    lineage = nx.DiGraph(list(declared.select("parent_id", "child_id").iter_rows()))
    by_id = {fp.model_id: fp for fp in fps}
    rows = []
    for mid, contradicted in queries.select("model_id", "contradicted").iter_rows():
        if mid not in by_id:
            continue
        descendants = nx.descendants(lineage, mid) if mid in lineage else set()
        m = nearest_parent(by_id[mid], fps, created, descendants)
        if m is not None:
            rows.append(
                {
                    "child_id": m.child_id,
                    "parent_id": m.parent_id,
                    "source": "weights",
                    "relation": m.relation,
                    "distance": m.distance,
                    "runner_up": m.runner_up,
                    "matrices": m.matrices,
                    "reason": "declared base disagrees" if contradicted else "no declared base",
                }
            )
    return pl.DataFrame(rows, schema=MATCH_SCHEMA)
