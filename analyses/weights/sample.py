"""Choose which parent-child pairs to check from the weights: stratified by relation and family, within a
byte budget, so a check covers every kind of derivation instead of the largest family."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from analyses.weights.reader import sample_budget

UNKNOWN_SIZE = 2 * 1024**3  # a repo whose sizes were not crawled counts as this much against the budget
EXPECTED = {
    "finetune": {"finetune"},
    "adapter": {"adapter-merge"},
    "quantized": {"quantized", "cast"},
    "merge": {"merge"},
}


def accepts(declared_relation: str | None, relation: str) -> bool | None:
    """Whether the weights' verdict supports the declared relation (None when none was declared)."""
    if declared_relation not in EXPECTED:
        return None
    return relation in EXPECTED[declared_relation]


def read_cost(size: int | None) -> int:
    """Bytes a sampled read of a checkpoint of this size takes at most (the header comes on top, small)."""
    size = size or UNKNOWN_SIZE
    return min(size, sample_budget(size))


def sample_pairs(candidates: pl.DataFrame, budget_bytes: int, max_pairs: int) -> pl.DataFrame:
    """Round-robin over (relation, family) strata, smallest pairs first, until the budget is spent."""
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in candidates.sort("child_id").to_dicts():
        row["bytes"] = read_cost(row["child_bytes"]) + read_cost(row["parent_bytes"])
        strata[(row["declared_relation"] or "undeclared", row["family_id"])].append(row)
    for rows in strata.values():
        rows.sort(key=lambda r: (r["bytes"], r["child_id"]))
    by_relation: dict[str, list[tuple]] = defaultdict(list)
    for key in sorted(strata, key=lambda k: (k[0], str(k[1]))):
        by_relation[key[0]].append(key)
    chosen, spent = [], 0
    while len(chosen) < max_pairs and any(strata.values()):  # every round pops a pair, so it ends
        for rel in sorted(by_relation):
            for key in by_relation[rel]:
                if strata[key]:
                    row = strata[key].pop(0)
                    if spent + row["bytes"] <= budget_bytes:
                        chosen.append(row)
                        spent += row["bytes"]
                    break  # one pair per relation per round keeps relations balanced
            if len(chosen) >= max_pairs:
                break
    chosen += _other_merge_parents(candidates, chosen)
    cols = [
        "child_id",
        "parent_id",
        "declared_relation",
        "declared",
        "family_id",
        "bytes",
        "child_sha",
        "parent_sha",
        "child_files",
        "parent_files",
    ]
    return pl.DataFrame(
        [{c: r[c] for c in cols} for r in chosen],
        schema={
            "child_id": pl.String,
            "parent_id": pl.String,
            "declared_relation": pl.String,
            "declared": pl.Boolean,
            "family_id": pl.String,
            "bytes": pl.Int64,
            "child_sha": pl.String,
            "parent_sha": pl.String,
            "child_files": pl.List(pl.String),
            "parent_files": pl.List(pl.String),
        },
    )


def flags(declared_relation: str | None, declared: bool, relation: str) -> list[str]:
    out = []
    if relation == "identical":
        out.append("re-upload of the parent")
    if relation == "unrelated" and declared:
        out.append("declared base does not match")
    if not declared and relation != "unrelated":
        out.append("undeclared relative")
    if declared and relation not in ("identical", "unrelated") and accepts(declared_relation, relation) is False:
        out.append(f"declared {declared_relation}, weights say {relation}")
    return out


def _other_merge_parents(candidates: pl.DataFrame, chosen: list[dict]) -> list[dict]:
    """A declared merge is judged against all its parents: bring in the parent edges the round-robin left out."""
    merges = {r["child_id"] for r in chosen if r["declared_relation"] == "merge" and r["declared"]}
    have = {(r["child_id"], r["parent_id"]) for r in chosen}
    extra = []
    for row in candidates.filter(
        pl.col("child_id").is_in(list(merges)) & (pl.col("declared_relation") == "merge") & pl.col("declared")
    ).to_dicts():
        if (row["child_id"], row["parent_id"]) not in have:
            row["bytes"] = read_cost(row["parent_bytes"])
            extra.append(row)
    return extra
