"""Compare two checkpoints tensor by tensor in one fused pass over each pair.

Only safetensors are read: local files memory-mapped (reader.LocalCheckpoint), hub checkpoints as sampled row
blocks (reader.SampledCheckpoint). Each tensor pair is streamed once in cache-sized row blocks; every block
feeds all the running sums (norms, dot product, equal count, largest change) at once, and a few hundred rows
picked on the way feed the structural tests (quantization grid, dtype cast, rank of the delta). torch runs the
arithmetic on CUDA when it is available and on the CPU otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from analyses.weights import structure
from analyses.weights.reader import DTYPES, Checkpoint, LocalCheckpoint, is_matrix, row_bytes, rows_of
from analyses.weights.safety import UnsafeCheckpoint
from pipelines.errors import DeviceUnavailable

BLOCK_BYTES = 4 << 20  # bytes of one side per step: a block pair and its delta stay in cache
STRUCT_ROWS = 256  # rows per matrix kept for the structural tests
STRUCT_WINDOWS = 4  # ... taken as this many windows spread over the rows compared


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def check_device(device: str | None) -> str:
    device = device or default_device()
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise DeviceUnavailable(
            "--device cuda: no CUDA device is available here; use --device cpu "
            "(or leave --device out to use CUDA only when present)"
        )
    return device


def checkpoint_files(path: Path) -> dict[str, Path]:
    """Tensor name -> file holding it (vetted headers; safetensors only)."""
    ck = LocalCheckpoint(path)
    return {name: ck._file[name] for name in ck.infos}


@dataclass
class TensorDiff:
    name: str
    shape: list[int]
    shape_b: list[int]
    dtype_a: str
    dtype_b: str
    matrix: bool  # 2-D float: evidence of relation (1-D norms and biases are not)
    rows_compared: int
    numel: int  # elements compared
    rel_l2: float | None  # ||b - a|| / ||a||
    cosine: float | None
    identical: float  # share of compared elements exactly equal
    max_abs: float
    norm_a: float
    norm_b: float
    norm_delta: float
    grid_a: float | None = None  # share of a's sampled values on a quantization grid
    grid_b: float | None = None
    grid_kind_a: str | None = None
    grid_kind_b: str | None = None
    cast: float | None = None  # share of one side equal to the other rounded to fp16/bf16
    cast_side: str | None = None  # 'b' when b = round(a), 'a' when a = round(b)
    delta_rank: int | None = None  # singular values holding 99% of the delta's energy (sampled rows)
    delta_rank_share: float | None = None  # that rank / min(sampled shape): low for an adapter merge
    delta_low_rank_energy: float | None = None  # energy share of the top 8 singular values
    rows_touched: float | None = None  # share of sampled rows with any change (an adapter touches them all)


def _windows(ranges: list[tuple[int, int]], want: int, parts: int) -> list[tuple[int, int]]:
    """Up to `want` rows of the ranges, as `parts` windows spread evenly over them."""
    total = sum(e - s for s, e in ranges)
    if total <= want:
        return list(ranges)
    per, out = max(1, want // parts), []
    for j in range(parts):
        pos = (total - per) * j // max(1, parts - 1)
        for s, e in ranges:
            if pos < e - s:
                out.append((s + pos, min(e, s + pos + per)))
                break
            pos -= e - s
    return out


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    out = []
    for s0, e0 in a:
        for s1, e1 in b:
            s, e = max(s0, s1), min(e0, e1, limit)
            if s < e:
                out.append((s, e))
    return sorted(out)


class _Sums:
    """Running sums of one tensor pair; one small tensor of partial results per block, read back once."""

    def __init__(self, device: str):
        self.parts: list[torch.Tensor] = []
        self.device = device

    def add(self, xa: torch.Tensor, xb: torch.Tensor) -> None:
        """One block: the delta once (a and b leave RAM once), then every sum over what is now in cache."""
        d = xb - xa
        mn, mx = torch.aminmax(d)
        self.parts.append(
            torch.stack(
                [
                    torch.dot(xa, xa),
                    torch.dot(xb, xb),
                    torch.dot(d, d),
                    torch.count_nonzero(d).to(xa.dtype),
                    torch.maximum(-mn, mx),
                ]
            ).double()
        )

    def totals(self) -> list[float]:
        """||a||^2, ||b||^2, ||b-a||^2, a.b (from the three norms), changed elements, largest change."""
        if not self.parts:
            return [0.0] * 6
        t = torch.stack(self.parts)
        na2, nb2, nd2, nonzero = t[:, :4].sum(0).tolist()
        return [na2, nb2, nd2, (na2 + nb2 - nd2) / 2, nonzero, float(t[:, 4].max())]


def tensor_diff(name: str, a: Checkpoint, b: Checkpoint, device: str = "cpu") -> TensorDiff:
    """Per-tensor measures of b against a, over the rows both can give (rows beyond the shorter side's count
    - a grown or cut vocabulary - are left out)."""
    ia, ib = a.infos[name], b.infos[name]
    limit = min(rows_of(ia), rows_of(ib))
    ranges = _intersect(a.ranges(name), b.ranges(name), limit)
    matrix = is_matrix(ia) and is_matrix(ib)
    struct = _windows(ranges, STRUCT_ROWS, STRUCT_WINDOWS) if matrix else []
    step = max(1, BLOCK_BYTES // max(1, row_bytes(ia)))
    sums, keep_a, keep_b, rows = _Sums(device), [], [], 0
    for r0, r1 in ranges:
        for s in range(r0, r1, step):
            e = min(r1, s + step)
            xa = a.rows(name, s, e).to(device=device, dtype=torch.float32)
            xb = b.rows(name, s, e).to(device=device, dtype=torch.float32)
            sums.add(xa.reshape(-1), xb.reshape(-1))
            rows += e - s
            for w0, w1 in struct:
                lo, hi = max(s, w0), min(e, w1)
                if lo < hi:
                    keep_a.append(xa[lo - s : hi - s].reshape(hi - lo, -1))
                    keep_b.append(xb[lo - s : hi - s].reshape(hi - lo, -1))
    na2, nb2, nd2, dot, nonzero, max_abs = sums.totals()
    n = rows * (math.prod(ia.shape[1:]) if ia.shape else 1)
    na, nb, nd = math.sqrt(na2), math.sqrt(nb2), math.sqrt(nd2)
    td = TensorDiff(
        name=name,
        shape=list(ia.shape),
        shape_b=list(ib.shape),
        dtype_a=ia.dtype,
        dtype_b=ib.dtype,
        matrix=matrix,
        rows_compared=rows,
        numel=n,
        rel_l2=nd / na if na else None,
        cosine=dot / (na * nb) if na and nb else None,
        identical=1 - nonzero / n if n else 1.0,
        max_abs=max_abs,
        norm_a=na,
        norm_b=nb,
        norm_delta=nd,
    )
    if keep_a and td.identical < 1.0:
        _structure(td, torch.cat(keep_a), torch.cat(keep_b))
    return td


def _structure(td: TensorDiff, sa: torch.Tensor, sb: torch.Tensor) -> None:
    td.grid_a, td.grid_kind_a = structure.grid_share(sa, DTYPES[td.dtype_a])
    td.grid_b, td.grid_kind_b = structure.grid_share(sb, DTYPES[td.dtype_b])
    td.cast, td.cast_side = structure.cast_share(sa, sb)
    delta = sb - sa
    td.delta_rank, td.delta_rank_share, td.delta_low_rank_energy = structure.delta_rank(delta)
    td.rows_touched = float((delta != 0).any(dim=1).float().mean())


@dataclass
class CheckpointDiff:
    tensors: list[TensorDiff]
    only_in_a: list[str]
    only_in_b: list[str]
    shape_mismatch: list[str]
    device: str
    bytes_read: int

    @property
    def rows_changed(self) -> list[str]:
        """Tensors whose row count differs (a vocabulary grown, cut or swapped), compared on common rows."""
        return [t.name for t in self.tensors if t.shape[0:1] != t.shape_b[0:1]]

    def as_dict(self) -> dict:
        return {
            "tensors": [asdict(t) for t in self.tensors],
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
            "shape_mismatch": self.shape_mismatch,
            "rows_changed": self.rows_changed,
            "device": self.device,
            "bytes_read": self.bytes_read,
        }


def _comparable(ia, ib) -> bool:
    return len(ia.shape) == len(ib.shape) and tuple(ia.shape[1:]) == tuple(ib.shape[1:])


def diff(a: Checkpoint, b: Checkpoint, device: str | None = None, on_tensor=None) -> CheckpointDiff:
    """Compare checkpoint b (the derivative) with a (its declared base), tensor by tensor."""
    device = check_device(device)
    common = sorted(set(a.infos) & set(b.infos))
    out, mismatch = [], []
    start = a.bytes_read + b.bytes_read
    for name in common:
        if not _comparable(a.infos[name], b.infos[name]):
            mismatch.append(name)
            continue
        if not a.ranges(name) or not b.ranges(name):
            continue  # not part of a sampled read (1-D tensors are not sampled)
        if a.infos[name].dtype not in DTYPES or b.infos[name].dtype not in DTYPES:
            raise UnsafeCheckpoint(f"{name}: dtype {a.infos[name].dtype}/{b.infos[name].dtype} cannot be compared")
        out.append(tensor_diff(name, a, b, device))
        if on_tensor:
            on_tensor(name)
    return CheckpointDiff(
        out,
        sorted(set(a.infos) - set(b.infos)),
        sorted(set(b.infos) - set(a.infos)),
        mismatch,
        device,
        a.bytes_read + b.bytes_read - start,
    )


def diff_checkpoints(a: Path, b: Path, device: str | None = None, on_tensor=None) -> CheckpointDiff:
    """Compare two local checkpoints (files or directories of shards), memory-mapped."""
    return diff(LocalCheckpoint(a), LocalCheckpoint(b), device, on_tensor)
