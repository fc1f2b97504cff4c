"""From per-tensor diffs to one verdict: identical, quantized, adapter-merge, finetune, merge or unrelated.

Thresholds are set from how each derivation changes weights (DESIGN.md): a re-upload changes nothing; a
quantized copy puts every value on a small grid with a small error; an adapter merge changes a few matrices
by a low-rank delta; a finetune changes everything a little; a merge moves far along a dense direction
but keeps its parent's direction; unrelated weights share no direction.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyses.weights.diff import CheckpointDiff

IDENTICAL = 0.9999
GRID = 0.98
CHANGED = 0.999          # a tensor whose identical share is below this was changed
LOW_RANK = 0.99
UNRELATED_COSINE = 0.2
MERGE_REL_L2 = 0.25


@dataclass
class Verdict:
    relation: str
    confidence: float
    direction: str | None       # "b derives from a", "a derives from b", or None when it cannot be told
    summary: dict


def _mean(diff: CheckpointDiff, attr: str, where=lambda t: True) -> float | None:
    rows = [(getattr(t, attr), t.numel) for t in diff.tensors if where(t) and getattr(t, attr) is not None]
    n = sum(w for _, w in rows)
    return sum(v * w for v, w in rows) / n if n else None


def _clamp(x: float) -> float:
    return round(max(0.5, min(1.0, x)), 3)


def judge(diff: CheckpointDiff) -> Verdict:
    ts = diff.tensors
    if not ts:
        return Verdict("unrelated", 0.9, None, {"reason": "no tensors in common"})
    numel = sum(t.numel for t in ts)
    # relative change of the matrices (1-D norms and biases sit near 1 and would drown it), numel-weighted
    rel = _mean(diff, "rel_l2", lambda t: len(t.shape) >= 2)
    rel = rel if rel is not None else _mean(diff, "rel_l2")
    changed = [t for t in ts if t.identical < CHANGED]
    summary = {
        "tensors": len(ts), "rel_l2": rel, "cosine": _mean(diff, "cosine"), "identical": _mean(diff, "identical"),
        "changed_share": sum(t.numel for t in changed) / numel, "grid_a": _mean(diff, "grid_a"),
        "grid_b": _mean(diff, "grid_b"),
        "delta_low_rank_energy": _mean(diff, "delta_low_rank_energy", lambda t: t in changed and len(t.shape) == 2),
        "kurtosis_a": _mean(diff, "kurtosis_a"), "kurtosis_b": _mean(diff, "kurtosis_b"),
        "only_in_a": len(diff.only_in_a), "only_in_b": len(diff.only_in_b), "shape_mismatch": len(diff.shape_mismatch),
    }
    s = summary
    if s["identical"] >= IDENTICAL:
        return Verdict("identical", 1.0, None, s)
    if s["grid_b"] >= GRID and s["grid_a"] < 0.5 and rel is not None and rel < MERGE_REL_L2:
        return Verdict("quantized", _clamp(s["grid_b"]), "b derives from a", s)
    if s["grid_a"] >= GRID and s["grid_b"] < 0.5 and rel is not None and rel < MERGE_REL_L2:
        return Verdict("quantized", _clamp(s["grid_a"]), "a derives from b", s)
    cos = s["cosine"] or 0.0
    if cos < UNRELATED_COSINE:
        return Verdict("unrelated", _clamp(1.0 - cos), None, s)
    low = s["delta_low_rank_energy"]
    if s["changed_share"] < 0.9 and low is not None and low >= LOW_RANK:
        return Verdict("adapter-merge", _clamp(low), "b derives from a", s)
    if rel is not None and rel > MERGE_REL_L2:
        return Verdict("merge", _clamp(0.5 + (rel - MERGE_REL_L2) / MERGE_REL_L2), None, s)
    return Verdict("finetune", _clamp(0.5 + (MERGE_REL_L2 - (rel or 0)) / MERGE_REL_L2 * 0.5), _direction(s), s)


def _direction(s: dict) -> str | None:
    """Fine-tuning tends to raise the kurtosis of weights (heavier tails), per the model-tree literature."""
    ka, kb = s.get("kurtosis_a"), s.get("kurtosis_b")
    if ka is None or kb is None or abs(kb - ka) < 1e-3:
        return None
    return "b derives from a" if kb > ka else "a derives from b"
