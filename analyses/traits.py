"""Family resemblance: Jaccard similarity of model traits for parent–child, sibling, same-family and
cross-family pairs, with 95% confidence intervals, so "siblings are more similar than parent and child"
can be tested on any crawl.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict

import polars as pl

TRAIT_KINDS = ("tag", "language", "dataset", "license", "pipeline", "library", "section")
PAIR_TYPES = ("parent_child", "sibling", "same_family_random", "cross_family_random")
MAX_PAIRS = 200_000  # per pair type; pairs are sampled beyond it
MAX_SIBLING_PAIRS_PER_PARENT = 50
Z95 = 1.959964


def trait_sets(traits: pl.DataFrame) -> dict[str, dict[str, frozenset]]:
    """model_id -> trait kind -> set of values (card sections lower-cased)."""
    out: dict[str, dict[str, frozenset]] = {}
    cols = ("model_id", "tags", "languages", "datasets", "license", "pipeline_tag", "library_name", "sections")
    for mid, tags, langs, dsets, lic, pipe, lib, sections in traits.select(cols).iter_rows():
        out[mid] = {
            "tag": frozenset(tags or ()),
            "language": frozenset(langs or ()),
            "dataset": frozenset(dsets or ()),
            "license": frozenset([lic] if lic else ()),
            "pipeline": frozenset([pipe] if pipe else ()),
            "library": frozenset([lib] if lib else ()),
            "section": frozenset(s.lower() for s in sections or ()),
        }
    return out


def jaccard(a: frozenset, b: frozenset) -> float | None:
    union = len(a | b)
    return None if union == 0 else len(a & b) / union


def _all_traits(t: dict[str, frozenset]) -> frozenset:
    return frozenset((k, v) for k in TRAIT_KINDS for v in t[k])


def sample_pairs(edges: pl.DataFrame, members: pl.DataFrame, seed: int = 0) -> dict[str, list[tuple[str, str]]]:
    """Pairs of models per pair type; edges and members restricted to models in the warehouse."""
    rng = random.Random(seed)
    parent_child = [(p, c) for c, p in edges.select("child_id", "parent_id").iter_rows() if c != p]
    if len(parent_child) > MAX_PAIRS:
        parent_child = rng.sample(parent_child, MAX_PAIRS)
    kids: dict[str, list[str]] = defaultdict(list)
    for p, c in parent_child:
        kids[p].append(c)
    siblings = []
    for p in sorted(kids):
        ks = sorted(set(kids[p]))
        n = len(ks) * (len(ks) - 1) // 2
        if n <= MAX_SIBLING_PAIRS_PER_PARENT:
            siblings += [(ks[i], ks[j]) for i in range(len(ks)) for j in range(i + 1, len(ks))]
        else:
            seen: set[tuple[str, str]] = set()
            while len(seen) < MAX_SIBLING_PAIRS_PER_PARENT:
                a, b = rng.sample(ks, 2)
                seen.add((min(a, b), max(a, b)))
            siblings += sorted(seen)
    if len(siblings) > MAX_PAIRS:
        siblings = rng.sample(siblings, MAX_PAIRS)
    related = {frozenset(x) for x in parent_child} | {frozenset(x) for x in siblings}
    fam: dict[str, list[str]] = defaultdict(list)
    for mid, fid in members.select("model_id", "family_id").sort("model_id").iter_rows():
        fam[fid].append(mid)
    fams = sorted(f for f in fam if len(fam[f]) >= 3)
    weights = [len(fam[f]) for f in fams]
    target = min(MAX_PAIRS, max(len(parent_child), len(siblings)))
    same_family: list[tuple[str, str]] = []
    tries = 0
    while fams and len(same_family) < target and tries < 20 * target:
        tries += 1
        f = rng.choices(fams, weights)[0]
        a, b = rng.sample(fam[f], 2)
        if frozenset((a, b)) not in related:
            same_family.append((a, b))
    everyone = [(m, f) for f in sorted(fam) for m in fam[f]]
    cross_family: list[tuple[str, str]] = []
    tries = 0
    while len(fam) > 1 and len(cross_family) < target and tries < 20 * target:
        tries += 1
        (a, fa), (b, fb) = rng.sample(everyone, 2)
        if fa != fb:
            cross_family.append((a, b))
    return {
        "parent_child": parent_child,
        "sibling": siblings,
        "same_family_random": same_family,
        "cross_family_random": cross_family,
    }


def mean_ci(values: list[float]) -> tuple[float | None, float | None, float | None, float | None]:
    """Mean with a normal-approximation 95% interval, and the median."""
    n = len(values)
    if n == 0:
        return None, None, None, None
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    half = Z95 * sd / math.sqrt(n)
    ordered = sorted(values)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return mean, max(0.0, mean - half), min(1.0, mean + half), median


def trait_similarity(traits: pl.DataFrame, edges: pl.DataFrame, members: pl.DataFrame, seed: int = 0) -> pl.DataFrame:
    sets = trait_sets(traits)
    alls = {m: _all_traits(t) for m, t in sets.items()}
    present = edges.filter(pl.col("child_id").is_in(list(sets)) & pl.col("parent_id").is_in(list(sets)))
    rows = []
    for pair_type, pairs in sample_pairs(present, members, seed).items():
        pairs = [(a, b) for a, b in pairs if a in sets and b in sets]
        values: dict[str, list[float]] = {k: [] for k in ("all", *TRAIT_KINDS)}
        for a, b in pairs:
            for kind in TRAIT_KINDS:
                j = jaccard(sets[a][kind], sets[b][kind])
                if j is not None:
                    values[kind].append(j)
            j = jaccard(alls[a], alls[b])
            if j is not None:
                values["all"].append(j)
        for trait, vals in values.items():
            mean, lo, hi, med = mean_ci(vals)
            rows.append((pair_type, trait, len(vals), mean, lo, hi, med))
    return pl.DataFrame(
        rows,
        schema={
            "pair_type": pl.String,
            "trait": pl.String,
            "pairs": pl.Int64,
            "mean": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
            "median": pl.Float64,
        },
        orient="row",
    )
