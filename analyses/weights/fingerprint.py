"""Weight fingerprints: a few rows of each matrix at positions fixed by its shape, so any two checkpoints of
one architecture can be compared without reading either again. Nearest fingerprints find undeclared parents
(weight_matches) and arrange a family's checkpoints into a tree (minimum spanning arborescence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import networkx as nx
import numpy as np
import torch

from analyses.weights import structure
from analyses.weights.reader import BLOCKS_PER_TENSOR, Checkpoint, is_matrix, rows_of

FP_ROWS = 8  # rows per matrix
FP_COLS = 64  # columns per row (evenly strided)
RELATED = 0.8  # fingerprint distance below this: same lineage (independent weights sit near 1.41)


def fingerprint_rows(rows: int) -> tuple[int, int]:
    """Rows [r0, r1) fingerprinted: the first sampled block's start (reader.plan_rows), so sampled reads have them."""
    ref = 1 << (rows.bit_length() - 1)
    r0 = min(max(0, rows - FP_ROWS), ref // (BLOCKS_PER_TENSOR + 1))
    return r0, min(rows, r0 + FP_ROWS)


@dataclass
class Fingerprint:
    model_id: str
    vectors: dict[str, np.ndarray]  # "name|cols|ref" -> float32 values
    grid: float | None  # share of fingerprinted values on a quantization grid (mean over matrices)

    def as_row(self) -> dict:
        keys = sorted(self.vectors)
        return {
            "model_id": self.model_id,
            "matrices": len(keys),
            "keys": keys,
            "vectors": [self.vectors[k].tolist() for k in keys],
            "grid": self.grid,
        }

    @classmethod
    def from_row(cls, row: dict) -> Fingerprint:
        return cls(
            row["model_id"],
            {k: np.asarray(v, np.float32) for k, v in zip(row["keys"], row["vectors"], strict=True)},
            row.get("grid"),
        )


def _available(ck: Checkpoint, name: str, r0: int, r1: int) -> bool:
    return any(s <= r0 and r1 <= e for s, e in ck.ranges(name))


def fingerprint(model_id: str, ck: Checkpoint) -> Fingerprint:
    vectors, grids = {}, []
    for name, info in sorted(ck.infos.items()):
        if not is_matrix(info):
            continue
        rows = rows_of(info)
        r0, r1 = fingerprint_rows(rows)
        if not _available(ck, name, r0, r1):
            continue
        x = ck.rows(name, r0, r1).float().reshape(r1 - r0, -1)
        cols = x.shape[1]
        idx = torch.arange(0, cols, max(1, cols // FP_COLS))[:FP_COLS]
        key = f"{name}|{cols}|{1 << (rows.bit_length() - 1)}"
        vectors[key] = x[:, idx].reshape(-1).numpy().astype(np.float32)
        g, _ = structure.grid_share(x, torch.float32)
        if g is not None:
            grids.append(g)
    return Fingerprint(model_id, vectors, sum(grids) / len(grids) if grids else None)


def fingerprint_bytes(model_id: str, blob: bytes) -> Fingerprint:
    """The fingerprint of a checkpoint held in memory, read exactly as a hub checkpoint would be."""
    from analyses.weights.reader import SampledCheckpoint

    return fingerprint(
        model_id, SampledCheckpoint(model_id, ["model.safetensors"], lambda _f, s, e: (blob[s:e], len(blob)))
    )


def distance(a: Fingerprint, b: Fingerprint) -> tuple[float, int]:
    """(relative distance over the matrices both have, how many): 0 for equal weights, ~1.41 for independent."""
    num = den = 0.0
    n = 0
    for key in a.vectors.keys() & b.vectors.keys():
        x, y = a.vectors[key], b.vectors[key]
        if x.shape != y.shape:
            continue
        num += float(np.sum((x.astype(np.float64) - y) ** 2))
        den += 0.5 * float(np.sum(x.astype(np.float64) ** 2) + np.sum(y.astype(np.float64) ** 2))
        n += 1
    return (math.sqrt(num / den) if den else math.inf), n


def relation_guess(child: Fingerprint, parent: Fingerprint, dist: float) -> str:
    if dist == 0:
        return "identical"
    if (child.grid or 0) >= 0.98 and (parent.grid or 0) < 0.5:
        return "quantized"
    return "derivative"


def _older_or_unknown(a: datetime | None, b: datetime | None) -> bool:
    """a could be b's parent by dates: created no later than b (or a date is unknown)."""
    return a is None or b is None or a <= b


def may_parent(parent: Fingerprint, child: Fingerprint, created: dict) -> bool:
    """Direction evidence: a parent is not younger than its child."""
    return _older_or_unknown(created.get(parent.model_id), created.get(child.model_id))


@dataclass
class Match:
    child_id: str
    parent_id: str
    relation: str
    distance: float
    runner_up: float | None
    matrices: int


def nearest_parent(child: Fingerprint, known: list[Fingerprint], created: dict, exclude: set[str]) -> Match | None:
    """The nearest known checkpoint that could be child's parent (older, not a declared descendant)."""
    scored = []
    for fp in known:
        if fp.model_id == child.model_id or fp.model_id in exclude or not may_parent(fp, child, created):
            continue
        d, n = distance(child, fp)
        if n:
            when = created.get(fp.model_id)
            scored.append((d, when.timestamp() if when else 0.0, fp))
    scored.sort(key=lambda t: (t[0], t[1]))
    if not scored or scored[0][0] >= RELATED:
        return None
    d, _, best = scored[0]
    return Match(
        child.model_id,
        best.model_id,
        relation_guess(child, best, d),
        d,
        scored[1][0] if len(scored) > 1 else None,
        distance(child, best)[1],
    )


def recover_tree(fps: list[Fingerprint], created: dict | None = None) -> list[tuple[str, str]]:
    """(parent, child) edges of the family tree: the minimum spanning arborescence of fingerprint distances
    over the edges the direction evidence allows (dates, quantization side); ties go to the older parent."""
    created = created or {}
    g = nx.DiGraph()
    g.add_nodes_from(fp.model_id for fp in fps)
    order = {fp.model_id: created[fp.model_id].timestamp() if created.get(fp.model_id) else 0.0 for fp in fps}
    span = (max(order.values()) - min(order.values())) or 1.0
    for p in fps:
        for c in fps:
            if p is c or not may_parent(p, c, created):
                continue
            d, n = distance(p, c)
            if n and math.isfinite(d):
                g.add_edge(p.model_id, c.model_id, weight=d + 1e-9 * (order[p.model_id] - min(order.values())) / span)
    try:
        tree = nx.minimum_spanning_arborescence(g, attr="weight")
    except nx.NetworkXException:
        tree = nx.minimum_branching(g, attr="weight")
    return sorted(tree.edges())
