"""Is a checkpoint a merge of several parents? Least-squares coefficients over all aligned matrices.

Soups (uniform or weighted averages), task arithmetic (base + sum of scaled task vectors, with the base among
the parents) and sparse task-vector merges (TIES, DARE) all put the child near a weighted sum of its parents.
One pass over the matrices accumulates the parents' Gram matrix and their products with the child in float64;
the coefficients solve the normal equations. A merge is when at least two parents carry real weight and
together explain the child better than the best single parent.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from analyses.weights.diff import BLOCK_BYTES, _intersect, check_device
from analyses.weights.reader import Checkpoint, is_matrix, row_bytes, rows_of

MIN_COEFFICIENT = 0.1  # share of the total |coefficient| a parent must carry to count as merged in
MIN_GAIN = 0.01  # the joint fit must leave at least this much less residual than the best single parent


@dataclass
class MergeFit:
    relation: str  # "merge" or the best single parent's role ("single-parent")
    coefficients: dict[str, float]  # parent label -> least-squares coefficient
    residual: float  # ||child - sum c_i parent_i||^2 / ||child - best single fit||^2 ... see below
    residual_share: float  # ||child - fit||^2 / ||child||^2
    single_residual_share: dict[str, float]  # the same with each parent alone (best scale)
    matrices: int
    elements: int
    bytes_read: int

    def as_dict(self) -> dict:
        return {
            "relation": self.relation,
            "coefficients": self.coefficients,
            "residual": self.residual,
            "residual_share": self.residual_share,
            "single_residual_share": self.single_residual_share,
            "matrices": self.matrices,
            "elements": self.elements,
            "bytes_read": self.bytes_read,
        }


def _aligned(child: Checkpoint, parents: list[Checkpoint]) -> list[str]:
    names = set(child.infos)
    for p in parents:
        names &= set(p.infos)
    ok = []
    for n in sorted(names):
        infos = [child.infos[n], *(p.infos[n] for p in parents)]
        first = infos[0]
        if all(is_matrix(i) and i.shape[1:] == first.shape[1:] and len(i.shape) == len(first.shape) for i in infos):
            ok.append(n)
    return ok


def _accumulate(child: Checkpoint, parents: list[Checkpoint], device: str):
    k = len(parents)
    gram = torch.zeros(k + 1, k + 1, dtype=torch.float64, device=device)
    mats, elements = 0, 0
    for name in _aligned(child, parents):
        ranges = child.ranges(name)
        limit = min(rows_of(x.infos[name]) for x in (child, *parents))
        for p in parents:
            ranges = _intersect(ranges, p.ranges(name), limit)
        if not ranges:
            continue
        mats += 1
        step = max(1, BLOCK_BYTES // max(1, row_bytes(child.infos[name])))
        for r0, r1 in ranges:
            for s in range(r0, r1, step):
                e = min(r1, s + step)
                x = torch.stack(
                    [
                        src.rows(name, s, e).to(device=device, dtype=torch.float64).reshape(-1)
                        for src in (*parents, child)
                    ]
                )
                gram += x @ x.T
                elements += x.shape[1]
    return gram, mats, elements


def fit_merge(
    child: Checkpoint, parents: list[Checkpoint], labels: list[str] | None = None, device: str | None = None
) -> MergeFit:
    """Least-squares weights of the parents that best reproduce the child, and how much they leave."""
    device = check_device(device)
    labels = labels or [p.label for p in parents]
    start = child.bytes_read + sum(p.bytes_read for p in parents)
    gram, mats, elements = _accumulate(child, parents, device)
    k = len(parents)
    g, h, cc = gram[:k, :k].cpu(), gram[:k, k].cpu(), float(gram[k, k])
    read = child.bytes_read + sum(p.bytes_read for p in parents) - start
    if not mats or cc == 0:
        return MergeFit("unrelated", {}, 1.0, 1.0, {}, mats, elements, read)
    w = torch.linalg.lstsq(g, h.unsqueeze(1), driver="gelsd").solution.squeeze(1)
    res = max(0.0, (cc - 2 * float(w @ h) + float(w @ g @ w)) / cc)
    single = {
        lab: max(0.0, (cc - float(h[i]) ** 2 / float(g[i, i])) / cc) if float(g[i, i]) else 1.0
        for i, lab in enumerate(labels)
    }
    best = min(single.values())
    weight = w.abs() / w.abs().sum() if float(w.abs().sum()) else w.abs()
    carried = int((weight >= MIN_COEFFICIENT).sum())
    is_merge = k >= 2 and carried >= 2 and res <= best * (1 - MIN_GAIN)
    return MergeFit(
        "merge" if is_merge else "single-parent",
        {lab: float(w[i]) for i, lab in enumerate(labels)},
        res / best if best else 0.0,
        res,
        single,
        mats,
        elements,
        read,
    )
