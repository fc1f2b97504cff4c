"""Structural evidence read from a few hundred rows of a matrix pair: quantization grids, dtype casts, the
rank of the delta. Each works on any rows, so a sampled read gives the same answer as a full one.
"""

from __future__ import annotations

import torch

GRID_LEVELS = 256  # at most this many levels between a group's min and max: an 8-bit (or 4-bit) grid
GROUPS = (32, 64, 128)  # group sizes real quantizers use (GPTQ, AWQ, bitsandbytes blocks)
GRID_TOL = {torch.float32: 0.01, torch.float64: 0.01, torch.float16: 0.1, torch.bfloat16: 0.1}
RANK_ENERGY = 0.99  # rank = singular values holding this share of the delta's energy


def _on_grid(groups: torch.Tensor, tol: float) -> tuple[int, int]:
    """(elements on a uniform grid, elements in non-constant groups) for rows of `groups`.

    A group is on a grid when its values are lo + k·step with step the smallest gap between its distinct
    values and at most GRID_LEVELS steps from min to max: this holds for symmetric and asymmetric, 8- and
    4-bit round trips whatever formula chose the scale, and fails for trained floats.
    """
    s, _ = groups.sort(dim=1)
    lo, hi = s[:, :1], s[:, -1:]
    span = hi - lo
    gaps = s.diff(dim=1)
    gaps = torch.where(gaps > span * 1e-6, gaps, torch.full_like(gaps, float("inf")))
    step = gaps.min(dim=1, keepdim=True).values
    varied = (span > 0).squeeze(1)
    ok = varied & (span / step <= GRID_LEVELS + 0.5).squeeze(1)
    q = (groups - lo) / step
    near = ((q - q.round()).abs() <= tol) & ok.unsqueeze(1)
    return int(near.sum()), int(varied.sum()) * groups.shape[1]


PROBE_ROWS = 8  # grid looked for on this many rows first; on all sampled rows only if it shows there


def grid_share(x: torch.Tensor, dtype: torch.dtype) -> tuple[float | None, str | None]:
    """Share of a matrix sample's values on a quantization grid, at the granularity that fits best
    (per tensor, per row, per group of 32/64/128 within rows)."""
    tol = GRID_TOL.get(dtype)
    if tol is None or x.numel() < 16:
        return None, None
    x = x.double().reshape(x.shape[0], -1)
    if x.shape[0] > PROBE_ROWS:
        probe, _ = _grid(x[:PROBE_ROWS], tol)
        if probe < 0.5:
            return probe, None
    return _grid(x, tol)


def _grid(x: torch.Tensor, tol: float) -> tuple[float, str | None]:
    cols = x.shape[1]
    shapes = {"tensor": x.reshape(1, -1), "row": x}
    shapes.update({f"group{g}": x.reshape(-1, g) for g in GROUPS if cols % g == 0 and cols > g})
    best, kind = 0.0, None
    for name, groups in shapes.items():
        on, total = _on_grid(groups, tol)
        if total and on / total > best:
            best, kind = on / total, name
    return best, kind


def cast_share(a: torch.Tensor, b: torch.Tensor) -> tuple[float, str | None]:
    """Largest share of b equal to a rounded to a lower precision (or a to b's), and which side is the
    rounded one: 'b' when b = round(a), 'a' when a = round(b). Looked for on a few rows first."""
    if a.shape[0] > PROBE_ROWS:
        share, side = _cast(a[:PROBE_ROWS], b[:PROBE_ROWS])
        if share < 0.5:
            return share, side
    return _cast(a, b)


def _cast(a: torch.Tensor, b: torch.Tensor) -> tuple[float, str | None]:
    best, side = 0.0, None
    for dt in (torch.float16, torch.bfloat16):
        for rounded, other, name in ((b, a, "b"), (a, b, "a")):
            share = float((other.to(dt).float() == rounded).float().mean())
            if share > best:
                best, side = share, name
    return best, side


RANK_PROBE_ROWS = 64  # the delta's rank is measured on this many rows first ...
DENSE = 0.75  # ... and on all sampled rows only when it is not plainly dense there


def delta_rank(delta: torch.Tensor) -> tuple[int | None, float | None, float | None]:
    """(rank holding RANK_ENERGY of the delta's energy, that rank / min(shape), energy of the top 8), on the
    sampled rows (a row sample of a rank-r matrix has rank <= r: the sketch keeps the evidence)."""
    d = delta.float().reshape(delta.shape[0], -1)
    if d.shape[0] > 2 * RANK_PROBE_ROWS:
        step = d.shape[0] // RANK_PROBE_ROWS
        probe = _rank(d[::step][:RANK_PROBE_ROWS])
        if probe[1] is not None and probe[1] >= DENSE:
            return probe
    return _rank(d)


def _rank(d: torch.Tensor) -> tuple[int | None, float | None, float | None]:
    if min(d.shape) < 2:
        return None, None, None
    d = d / d.abs().max().clamp(min=1e-30)  # scale for float32 sums; the shares do not depend on it
    gram = d @ d.T if d.shape[0] <= d.shape[1] else d.T @ d  # eigenvalues = squared singular values
    ev = torch.linalg.eigvalsh(gram.double()).flip(0).clamp(min=0)
    total = float(ev.sum())
    if total <= 0:
        return None, None, None
    cum = ev.cumsum(0) / total
    rank = int((cum < RANK_ENERGY).sum()) + 1
    return rank, rank / min(d.shape), float(cum[min(7, len(cum) - 1)])
