"""Stream two checkpoints tensor by tensor and measure how one differs from the other.

Only safetensors are read (memory-mapped through `safetensors.safe_open`, after `safety.read_header` has
vetted the file); one pair of tensors is in memory at a time. torch runs the arithmetic on CUDA when it
is available and on the CPU otherwise; norms accumulate in float64 so both give the same figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors import safe_open

from analyses.weights.safety import TensorInfo, UnsafeCheckpoint, read_header

GRID_LEVELS = 127          # int8 symmetric quantization grid
GRID_TOL = 1e-3            # distance to the grid, in grid steps
EXACT_RANK_MAX = 1024      # exact singular values up to this size; randomized above
LOW_RANK_K = 8


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def checkpoint_index(path: Path) -> dict[str, tuple[Path, TensorInfo]]:
    """Tensor name -> (file holding it, its vetted header entry), for a .safetensors file or a directory of shards."""
    path = Path(path)
    if path.is_file():
        if not path.name.endswith(".safetensors"):
            raise UnsafeCheckpoint(f"{path.name}: only .safetensors files are read (never pickle-based formats)")
        files = [path]
    else:
        files = sorted(path.glob("*.safetensors"))
        if not files:
            raise FileNotFoundError(f"no .safetensors files in {path}")
    return {name: (f, info) for f in files for name, info in read_header(f).items()}


def checkpoint_files(path: Path) -> dict[str, Path]:
    """Tensor name -> file holding it."""
    return {name: f for name, (f, _) in checkpoint_index(path).items()}


@dataclass
class TensorDiff:
    name: str
    shape: list[int]
    numel: int
    rel_l2: float | None          # ||b - a|| / ||a||
    cosine: float | None
    identical: float              # share of elements exactly equal
    max_abs: float
    delta_low_rank_energy: float | None   # share of ||b - a||² in its top singular values (2-D only)
    delta_effective_rank: float | None    # exp(entropy) of the normalised singular values (2-D only)
    grid_a: float                 # share of a's elements on a symmetric int8 grid
    grid_b: float
    kurtosis_a: float | None
    kurtosis_b: float | None
    norm_a: float
    norm_b: float
    norm_delta: float


CHUNK = 1 << 21            # elements per reduction step: temporaries stay a few MiB whatever the tensor


class _Moments:
    """Running sums over chunks (float32 pairwise sums per chunk, float64 across chunks)."""

    def __init__(self):
        self.s = [0.0] * 5  # count, sum x, sum x^2, sum x^3, sum x^4

    def add(self, x: torch.Tensor) -> None:
        x2 = x * x
        self.s[0] += x.numel()
        self.s[1] += float(x.sum())
        self.s[2] += float(x2.sum())
        self.s[3] += float((x2 * x).sum())
        self.s[4] += float((x2 * x2).sum())

    def kurtosis(self) -> float | None:
        n, s1, s2, s3, s4 = self.s
        if n == 0:
            return None
        m = s1 / n
        var = s2 / n - m * m
        if var <= 0:
            return None
        m4 = s4 / n - 4 * m * s3 / n + 6 * m * m * s2 / n - 3 * m ** 4
        return m4 / var ** 2


def _grid_hits(x: torch.Tensor, step: float) -> int:
    if step == 0:
        return x.numel()
    q = x * (1.0 / step)
    return int(((q - q.round()).abs() < GRID_TOL).sum())


def _spectrum(delta: torch.Tensor) -> tuple[float | None, float | None]:
    if delta.ndim != 2 or min(delta.shape) < 2:
        return None, None
    d = delta.float()
    if max(d.shape) <= EXACT_RANK_MAX:
        s = torch.linalg.svdvals(d.double())
    else:  # randomized: the top singular values are what tells an adapter merge from a dense update
        torch.manual_seed(0)
        _, s, _ = torch.svd_lowrank(d, q=min(4 * LOW_RANK_K, min(d.shape)), niter=2)
        s = s.double()
    energy = s ** 2
    total = float(torch.linalg.vector_norm(d, dtype=torch.float64) ** 2)
    if total == 0:
        return None, None
    top = float(energy[:LOW_RANK_K].sum()) / total
    p = energy / energy.sum()
    p = p[p > 0]
    eff = float(torch.exp(-(p * p.log()).sum()))
    return min(top, 1.0), eff


def tensor_diff(name: str, a: torch.Tensor, b: torch.Tensor) -> TensorDiff:
    """Per-tensor measures in chunks, plus the spectrum of the delta for matrices (low rank => adapter merge)."""
    shape = list(a.shape)
    spectrum = _spectrum(b.float() - a.float()) if a.ndim == 2 and not torch.equal(a, b) else (None, None)
    a, b = a.float().reshape(-1), b.float().reshape(-1)
    step_a = float(a.abs().max()) / GRID_LEVELS if a.numel() else 0.0
    step_b = float(b.abs().max()) / GRID_LEVELS if b.numel() else 0.0
    na2 = nb2 = nd2 = dot = 0.0
    equal = grid_a = grid_b = 0
    max_abs = 0.0
    ma, mb = _Moments(), _Moments()
    for i in range(0, a.numel(), CHUNK):
        ca, cb = a[i:i + CHUNK], b[i:i + CHUNK]
        cd = cb - ca
        na2 += float(torch.dot(ca, ca))
        nb2 += float(torch.dot(cb, cb))
        nd2 += float(torch.dot(cd, cd))
        dot += float(torch.dot(ca, cb))
        equal += int((ca == cb).sum())
        max_abs = max(max_abs, float(cd.abs().max()))
        grid_a += _grid_hits(ca, step_a)
        grid_b += _grid_hits(cb, step_b)
        ma.add(ca)
        mb.add(cb)
    n = a.numel()
    na, nb, nd = na2 ** 0.5, nb2 ** 0.5, nd2 ** 0.5
    return TensorDiff(
        name=name, shape=shape, numel=n, rel_l2=nd / na if na else None,
        cosine=dot / (na * nb) if na and nb else None, identical=equal / n if n else 1.0, max_abs=max_abs,
        delta_low_rank_energy=spectrum[0], delta_effective_rank=spectrum[1], grid_a=grid_a / n if n else 1.0,
        grid_b=grid_b / n if n else 1.0, kurtosis_a=ma.kurtosis(), kurtosis_b=mb.kurtosis(),
        norm_a=na, norm_b=nb, norm_delta=nd)


@dataclass
class CheckpointDiff:
    tensors: list[TensorDiff]
    only_in_a: list[str]
    only_in_b: list[str]
    shape_mismatch: list[str]
    device: str
    bytes_read: int

    def as_dict(self) -> dict:
        return {"tensors": [asdict(t) for t in self.tensors], "only_in_a": self.only_in_a, "only_in_b": self.only_in_b,
                "shape_mismatch": self.shape_mismatch, "device": self.device, "bytes_read": self.bytes_read}


def diff_checkpoints(a: Path, b: Path, device: str | None = None, on_tensor=None) -> CheckpointDiff:
    """Compare checkpoint b (the derivative) with a (its declared base), tensor by tensor."""
    device = device or default_device()
    files_a, files_b = checkpoint_index(a), checkpoint_index(b)
    common = sorted(set(files_a) & set(files_b))
    out, mismatch, read = [], [], 0
    handles: dict[Path, object] = {}
    try:
        for name in common:
            (fa, info_a), (fb, info_b) = files_a[name], files_b[name]
            if info_a.shape != info_b.shape:
                mismatch.append(name)
                continue
            for f in (fa, fb):
                if f not in handles:
                    handles[f] = safe_open(str(f), framework="pt", device="cpu")
            ta = handles[fa].get_tensor(name).to(device)
            tb = handles[fb].get_tensor(name).to(device)
            read += info_a.nbytes + info_b.nbytes
            out.append(tensor_diff(name, ta, tb))
            del ta, tb
            if on_tensor:
                on_tensor(name)
    finally:
        handles.clear()
    return CheckpointDiff(out, sorted(set(files_a) - set(files_b)), sorted(set(files_b) - set(files_a)), mismatch,
                          device, read)

