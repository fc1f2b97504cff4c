"""Choose which parent-child pairs to check from the weights: stratified by relation and family, within a
byte budget, so a check covers every kind of derivation instead of the largest family."""

from __future__ import annotations

from collections import defaultdict

import polars as pl

UNKNOWN_SIZE = 2 * 1024 ** 3   # a repo whose sizes were not crawled counts as this much against the budget
EXPECTED = {"finetune": "finetune", "adapter": "adapter-merge", "quantized": "quantized", "merge": "merge"}


def sample_pairs(candidates: pl.DataFrame, budget_bytes: int, max_pairs: int) -> pl.DataFrame:
    """Round-robin over (relation, family) strata, smallest pairs first, until the budget is spent."""
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in candidates.sort("child_id").to_dicts():
        row["bytes"] = (row["child_bytes"] or UNKNOWN_SIZE) + (row["parent_bytes"] or UNKNOWN_SIZE)
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
    cols = ["child_id", "parent_id", "declared_relation", "declared", "family_id", "bytes", "child_files",
            "parent_files"]
    return pl.DataFrame([{c: r[c] for c in cols} for r in chosen],
                        schema={"child_id": pl.String, "parent_id": pl.String, "declared_relation": pl.String,
                                "declared": pl.Boolean, "family_id": pl.String, "bytes": pl.Int64,
                                "child_files": pl.List(pl.String), "parent_files": pl.List(pl.String)})


def flags(declared_relation: str | None, declared: bool, relation: str) -> list[str]:
    out = []
    if relation == "identical":
        out.append("re-upload of the parent")
    if relation == "unrelated" and declared:
        out.append("declared base does not match")
    if not declared and relation != "unrelated":
        out.append("undeclared relative")
    if declared and relation not in ("identical", "unrelated") and EXPECTED.get(declared_relation, relation) != relation:
        out.append(f"declared {declared_relation}, weights say {relation}")
    return out
