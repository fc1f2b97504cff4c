"""Stream two checkpoints tensor by tensor and measure how one differs from the other.

Only safetensors are read (memory-mapped through `safetensors.safe_open`, after `safety.read_header` has
vetted the file); one pair of tensors is in memory at a time. torch runs the arithmetic on CUDA when it
is available and on the CPU otherwise; norms accumulate in float64 so both give the same figures.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors import safe_open

from analyses.weights.safety import UnsafeCheckpoint, read_header

GRID_LEVELS = 127          # int8 symmetric quantization grid
GRID_TOL = 1e-3            # distance to the grid, in grid steps
EXACT_RANK_MAX = 1024      # exact singular values up to this size; randomized above
LOW_RANK_K = 8


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def checkpoint_files(path: Path) -> dict[str, Path]:
    """Tensor name -> file holding it, for a .safetensors file or a directory of shards."""
    path = Path(path)
    if path.is_file():
        if not path.name.endswith(".safetensors"):
            raise UnsafeCheckpoint(f"{path.name}: only .safetensors files are read (never pickle-based formats)")
        return dict.fromkeys(read_header(path), path)
    files = sorted(path.glob("*.safetensors"))
    if not files:
        raise FileNotFoundError(f"no .safetensors files in {path}")
    out: dict[str, Path] = {}
    for f in files:
        for name in read_header(f):
            out[name] = f
    return out


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


def _kurtosis(x: torch.Tensor) -> float | None:
    x = x.double()
    var = x.var(unbiased=False)
    if var == 0:
        return None
    return float(((x - x.mean()) ** 4).mean() / var ** 2)


def _on_grid(x: torch.Tensor) -> float:
    m = x.abs().max()
    if m == 0:
        return 1.0
    q = x.double() / (m.double() / GRID_LEVELS)
    return float(((q - q.round()).abs() < GRID_TOL).double().mean())


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
    a, b = a.float(), b.float()
    delta = b - a
    na = float(torch.linalg.vector_norm(a, dtype=torch.float64))
    nb = float(torch.linalg.vector_norm(b, dtype=torch.float64))
    nd = float(torch.linalg.vector_norm(delta, dtype=torch.float64))
    dot = float((a.double() * b.double()).sum())
    low, eff = _spectrum(delta) if nd > 0 else (None, None)
    return TensorDiff(
        name=name, shape=list(a.shape), numel=a.numel(), rel_l2=nd / na if na else None,
        cosine=dot / (na * nb) if na and nb else None, identical=float((a == b).double().mean()) if a.numel() else 1.0,
        max_abs=float(delta.abs().max()) if a.numel() else 0.0, delta_low_rank_energy=low, delta_effective_rank=eff,
        grid_a=_on_grid(a), grid_b=_on_grid(b), kurtosis_a=_kurtosis(a), kurtosis_b=_kurtosis(b),
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
    files_a, files_b = checkpoint_files(a), checkpoint_files(b)
    headers = {}
    for f in {*files_a.values(), *files_b.values()}:
        headers[f] = read_header(f)
    common = sorted(set(files_a) & set(files_b))
    out, mismatch, read = [], [], 0
    handles: dict[Path, object] = {}
    try:
        for name in common:
            fa, fb = files_a[name], files_b[name]
            if headers[fa][name].shape != headers[fb][name].shape:
                mismatch.append(name)
                continue
            for f in (fa, fb):
                if f not in handles:
                    handles[f] = safe_open(str(f), framework="pt", device="cpu")
            ta = handles[fa].get_tensor(name).to(device)
            tb = handles[fb].get_tensor(name).to(device)
            read += headers[fa][name].nbytes + headers[fb][name].nbytes
            out.append(tensor_diff(name, ta, tb))
            del ta, tb
            if on_tensor:
                on_tensor(name)
    finally:
        handles.clear()
    return CheckpointDiff(out, sorted(set(files_a) - set(files_b)), sorted(set(files_b) - set(files_a)), mismatch,
                          device, read)


def index_json(path: Path) -> dict | None:
    """The weight map of a sharded checkpoint directory, when it has one."""
    idx = next(iter(sorted(Path(path).glob("*.safetensors.index.json"))), None) if Path(path).is_dir() else None
    return json.loads(idx.read_text()) if idx else None


def finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None
