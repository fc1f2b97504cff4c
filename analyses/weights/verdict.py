"""From per-tensor diffs to one verdict: identical, cast, quantized, adapter-merge, finetune or unrelated.

Only matrices are evidence (1-D norms and biases change under almost anything and match under almost
anything). Each changed matrix is judged on its own: on a quantization grid on one side only (a round trip,
whatever its granularity), equal to the other side rounded to fp16/bf16 (a cast), a delta of low rank for
its shape (an adapter merged in), or a dense delta (fine-tuning). A direction is stated only with evidence
that has one: the side on the grid, or the side that is the rounded one, is the derivative. Rows beyond the
shorter side's count (a grown or cut vocabulary) and matrices that no longer align are left out of the
judgement and reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyses.weights.diff import CheckpointDiff, TensorDiff

IDENTICAL = 0.9999  # share of equal elements that makes a matrix unchanged
RELATED_COSINE = 0.2  # a matrix pair this aligned shares an origin; independent ones sit near 0
RELATED_SHARE = 0.5  # share of matrices that must align for the checkpoints to be related
GRID = 0.98  # share of sampled values on a grid that makes a side quantized
OFF_GRID = 0.5
CAST = 0.999
LOW_RANK_SHARE = 0.25  # delta rank / min(shape) at most this: an adapter merged in ...
ALL_ROWS = 0.9  # ... touching (nearly) every row: B·A is dense, a few trained or moved rows are not
MAJORITY = 0.9  # share of the changed matrices that must show one kind of change
B_FROM_A, A_FROM_B = "b derives from a", "a derives from b"


@dataclass
class Verdict:
    relation: str
    confidence: float
    direction: str | None  # B_FROM_A, A_FROM_B, or None when the weights cannot tell
    summary: dict


def _mean(ts: list[TensorDiff], attr: str) -> float | None:
    rows = [(getattr(t, attr), t.numel) for t in ts if getattr(t, attr) is not None]
    n = sum(w for _, w in rows)
    return sum(v * w for v, w in rows) / n if n else None


def _clamp(x: float) -> float:
    return round(max(0.5, min(1.0, x)), 3)


def _share(ts: list[TensorDiff], test) -> float:
    return sum(1 for t in ts if test(t)) / len(ts) if ts else 0.0


def on_grid(t: TensorDiff, side: str) -> bool:
    mine, other = (t.grid_b, t.grid_a) if side == "b" else (t.grid_a, t.grid_b)
    return mine is not None and mine >= GRID and (other is None or other < OFF_GRID)


def low_rank(t: TensorDiff) -> bool:
    return (
        t.delta_rank_share is not None
        and t.delta_rank_share <= LOW_RANK_SHARE
        and (t.rows_touched is None or t.rows_touched >= ALL_ROWS)
    )


def _summary(diff: CheckpointDiff, mats, related, changed) -> dict:
    total = sum(t.norm_a**2 for t in mats)
    return {
        "matrices": len(mats),
        "related_share": len(related) / len(mats) if mats else 0.0,
        "changed_matrices": len(changed),
        "rel_l2": (sum(t.norm_delta**2 for t in mats) / total) ** 0.5 if total else None,
        "cosine": _mean(mats, "cosine"),
        "identical": _mean(mats, "identical"),
        "grid_a": _mean(changed, "grid_a"),
        "grid_b": _mean(changed, "grid_b"),
        "delta_rank_share": _mean(changed, "delta_rank_share"),
        "unaligned": sorted({t.name for t in mats} - {t.name for t in related}),
        "rows_changed": diff.rows_changed,
        "only_in_a": len(diff.only_in_a),
        "only_in_b": len(diff.only_in_b),
        "shape_mismatch": len(diff.shape_mismatch),
        "vectors_changed": sum(1 for t in diff.tensors if not t.matrix and t.identical < 1.0),
    }


def judge(diff: CheckpointDiff) -> Verdict:
    mats = [t for t in diff.tensors if t.matrix and t.numel]
    if not mats:
        return Verdict(
            "unrelated",
            0.5,
            None,
            {"reason": "no matrices in common", "only_in_a": len(diff.only_in_a), "only_in_b": len(diff.only_in_b)},
        )
    related = [t for t in mats if t.cosine is not None and t.cosine >= RELATED_COSINE]
    changed = [t for t in related if t.identical < IDENTICAL]
    s = _summary(diff, mats, related, changed)
    if len(related) < RELATED_SHARE * len(mats):
        return Verdict("unrelated", _clamp(1.0 - (s["cosine"] or 0.0)), None, s)
    structural = bool(diff.rows_changed or diff.only_in_a or diff.only_in_b or diff.shape_mismatch or s["unaligned"])
    if not changed:
        if any(t.dtype_a != t.dtype_b for t in mats):
            return Verdict("cast", 1.0, None, s)  # same values in another dtype: an upcast, no direction
        if structural or s["vectors_changed"]:
            return Verdict("finetune", 0.9, None, s)  # same matrices, new rows, heads or norms
        return Verdict("identical", 1.0, None, s)
    return _changed(changed, s)


def _changed(changed: list[TensorDiff], s: dict) -> Verdict:
    cast = [t for t in changed if t.cast is not None and t.cast >= CAST]
    if len(cast) >= MAJORITY * len(changed):
        sides = {t.cast_side for t in cast}
        direction = {"b": B_FROM_A, "a": A_FROM_B}.get(sides.pop()) if len(sides) == 1 else None
        return Verdict("cast", _clamp(min(t.cast for t in cast)), direction, s)
    for side, direction in (("b", B_FROM_A), ("a", A_FROM_B)):
        share = _share(changed, lambda t, side=side: on_grid(t, side))
        if share >= MAJORITY:
            return Verdict("quantized", _clamp(share), direction, s)
    share = _share(changed, low_rank)
    if share >= MAJORITY:
        return Verdict("adapter-merge", _clamp(share), None, s)
    return Verdict("finetune", _clamp(1.0 - share), None, s)
