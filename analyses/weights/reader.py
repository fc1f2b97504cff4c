"""Where tensors come from: local safetensors memory-mapped, or a hub checkpoint sampled by HTTP Range.

A checkpoint is a set of vetted headers (safety.py) and a way to get rows [r0, r1) of a tensor in its stored
dtype. Local files are memory-mapped (no copy: pages come straight from the page cache). A hub checkpoint is
read as a deterministic sample of row blocks planned from its headers alone, so two checkpoints of one
architecture sample the same rows, and a vocabulary change (rows added or removed at the end) keeps them aligned.
"""

from __future__ import annotations

import math
import mmap
import warnings
from collections.abc import Callable
from pathlib import Path

import torch

from analyses.weights.safety import DTYPE_BYTES, TensorInfo, UnsafeCheckpoint, header_length, parse_header, read_header

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "F8_E4M3": torch.float8_e4m3fn,
    "F8_E5M2": torch.float8_e5m2,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
FLOATS = {"F64", "F32", "F16", "BF16", "F8_E4M3", "F8_E5M2"}
SAMPLE_FLOOR_BYTES = 32 * 1024**2  # a sampled read takes at most this much per model ...
SAMPLE_SHARE = 0.02  # ... or this share of the checkpoint, whichever is larger
BLOCKS_PER_TENSOR = 2  # row blocks sampled per matrix (each one Range request at most)
MIN_ROWS = 64  # rows sampled per matrix where the budget allows (rank evidence needs them)
FLOOR_ROWS = 16  # ... and never fewer
RANGE_GAP = 256 * 1024  # neighbouring ranges closer than this are read in one request
HEAD_GUESS = 1024 * 1024  # first request: the header and, for a small file, everything


def row_bytes(info: TensorInfo) -> int:
    return (math.prod(info.shape[1:]) if info.shape else 1) * DTYPE_BYTES[info.dtype]


def rows_of(info: TensorInfo) -> int:
    return info.shape[0] if info.shape else 1


def is_matrix(info: TensorInfo) -> bool:
    """2-D (or larger) float tensors: the only ones that carry evidence of relation."""
    return len(info.shape) >= 2 and info.dtype in FLOATS and math.prod(info.shape) > 0


def sample_budget(total_bytes: int) -> int:
    return max(SAMPLE_FLOOR_BYTES, int(SAMPLE_SHARE * total_bytes))


def _view(buf: torch.Tensor, info: TensorInfo, r0: int, r1: int) -> torch.Tensor:
    rb = row_bytes(info)
    raw = buf[r0 * rb : r1 * rb]
    if raw.storage_offset() % DTYPE_BYTES[info.dtype]:
        raw = raw.clone()  # an unaligned data area (old writers): copy so the dtype view is legal
    return raw.view(DTYPES[info.dtype]).reshape(r1 - r0, *info.shape[1:])


class Checkpoint:
    """Tensor name -> vetted header entry, and rows of each tensor in its stored dtype."""

    label: str
    infos: dict[str, TensorInfo]
    total_bytes: int
    bytes_read: int = 0

    def ranges(self, name: str) -> list[tuple[int, int]]:
        """Row ranges of `name` this checkpoint can give (all rows for a full read)."""
        raise NotImplementedError

    def rows(self, name: str, r0: int, r1: int) -> torch.Tensor:
        raise NotImplementedError


class LocalCheckpoint(Checkpoint):
    """A .safetensors file or a directory of shards, memory-mapped."""

    def __init__(self, path: Path):
        path = Path(path)
        if path.is_file():
            if not path.name.endswith(".safetensors"):
                raise UnsafeCheckpoint(f"{path.name}: only .safetensors files are read (never pickle-based formats)")
            files = [path]
        elif path.is_dir():
            files = sorted(path.glob("*.safetensors"))
            if not files:
                raise FileNotFoundError(f"no .safetensors files in {path}")
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")
        self.label = str(path)
        self.infos, self._file = {}, {}
        for f in files:
            for name, info in read_header(f).items():
                self.infos[name], self._file[name] = info, f
        self.total_bytes = sum(f.stat().st_size for f in files)
        self._maps: dict[Path, torch.Tensor] = {}

    def _buf(self, f: Path) -> torch.Tensor:
        if f not in self._maps:
            with open(f, "rb") as fh:
                mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            if hasattr(mmap, "MADV_SEQUENTIAL"):
                mm.madvise(mmap.MADV_SEQUENTIAL)
            with warnings.catch_warnings():  # read-only by design: nothing writes through this view
                warnings.simplefilter("ignore", UserWarning)
                self._maps[f] = torch.frombuffer(mm, dtype=torch.uint8)
        return self._maps[f]

    def ranges(self, name: str) -> list[tuple[int, int]]:
        return [(0, rows_of(self.infos[name]))]

    def rows(self, name: str, r0: int, r1: int) -> torch.Tensor:
        info = self.infos[name]
        self.bytes_read += (r1 - r0) * row_bytes(info)
        buf = self._buf(self._file[name])
        return _view(buf[info.start : info.start + info.nbytes], info, r0, r1)


def plan_rows(
    infos: dict[str, TensorInfo], budget: int, min_rows: int = MIN_ROWS, blocks: int = BLOCKS_PER_TENSOR
) -> dict[str, list[tuple[int, int]]]:
    """Row blocks to read from each matrix: all of them when they fit the budget, else the same share of
    each, in `blocks` blocks at positions that depend on the name-independent shape only (so two checkpoints
    of one architecture, and a vocabulary grown or cut at the end, sample the same rows)."""
    mats = {n: i for n, i in infos.items() if is_matrix(i)}
    total = sum(i.nbytes for i in mats.values())
    if total <= budget:
        return {n: [(0, rows_of(i))] for n, i in mats.items()}
    share = budget / total
    want_rows = {n: min(rows_of(i), max(min_rows, int(rows_of(i) * share))) for n, i in mats.items()}
    planned = sum(want_rows[n] * row_bytes(i) for n, i in mats.items())
    if planned > budget:  # the per-matrix minimum overshoots: shrink every matrix alike, down to a floor
        want_rows = {
            n: min(rows_of(i), max(FLOOR_ROWS, int(w * budget / planned)))
            for (n, w), i in zip(want_rows.items(), mats.values(), strict=True)
        }
    plan = {}
    for n, i in mats.items():
        rows, want = rows_of(i), want_rows[n]
        if want >= rows:
            plan[n] = [(0, rows)]
            continue
        ref = 1 << (rows.bit_length() - 1)  # the largest power of two <= rows
        per = max(1, want // blocks)
        starts = sorted({min(rows - per, ref * (j + 1) // (blocks + 1)) for j in range(blocks)})
        plan[n] = _merge_ranges([(s, s + per) for s in starts])
    return plan


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


ReadRange = Callable[[str, int, int], tuple[bytes, int]]  # (filename, start, end) -> (bytes, file size)


class SampledCheckpoint(Checkpoint):
    """Row blocks of a checkpoint's matrices, read into memory by Range requests (headers first)."""

    def __init__(
        self, label: str, files: list[str], read_range: ReadRange, budget: int | None = None, min_rows: int = MIN_ROWS
    ):
        self.label = label
        self.infos, self._file, self._blocks = {}, {}, {}
        headers, sizes, heads = {}, {}, {}
        first = HEAD_GUESS if budget is None else max(4096, min(HEAD_GUESS, budget // 8))
        for f in files:
            head, size = read_range(f, 0, first)
            self.bytes_read += len(head)
            n = header_length(head, size, f"{label}/{f}")
            if 8 + n > len(head):
                more, _ = read_range(f, len(head), 8 + n)
                self.bytes_read += len(more)
                head += more
            headers[f], sizes[f], heads[f] = parse_header(head[8 : 8 + n], size, f"{label}/{f}"), size, head
        self.total_bytes = sum(sizes.values())
        budget = sample_budget(self.total_bytes) if budget is None else budget
        for f, hdr in headers.items():
            for name, info in hdr.items():
                if info.nbytes:
                    self.infos[name], self._file[name] = info, f
        plan = plan_rows(self.infos, budget, min_rows)
        for f, hdr in headers.items():
            if sizes[f] <= len(heads[f]):  # the first request already brought the whole file
                self._take(hdr, {n: [(0, rows_of(i))] for n, i in hdr.items()}, [(0, heads[f])])
                continue
            wanted = {n: plan[n] for n in hdr if n in plan}
            self._take(hdr, wanted, self._fetch(f, hdr, wanted, read_range, min(RANGE_GAP, budget // 64)))

    def _fetch(self, f: str, hdr: dict[str, TensorInfo], wanted: dict, read_range: ReadRange, gap: int):
        spans = sorted(
            (hdr[n].start + r0 * row_bytes(hdr[n]), hdr[n].start + r1 * row_bytes(hdr[n]))
            for n, rs in wanted.items()
            for r0, r1 in rs
        )
        merged: list[list[int]] = []
        for s, e in spans:
            if merged and s - merged[-1][1] <= gap:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        chunks = []
        for s, e in merged:
            data, _ = read_range(f, s, e)
            if len(data) != e - s:
                raise UnsafeCheckpoint(f"{self.label}/{f}: asked for {e - s:,} bytes at {s:,}, got {len(data):,}")
            self.bytes_read += len(data)
            chunks.append((s, data))
        return chunks

    def _take(self, hdr: dict[str, TensorInfo], wanted: dict, chunks: list[tuple[int, bytes]]) -> None:
        for name, rs in wanted.items():
            info = hdr[name]
            for r0, r1 in rs:
                s = info.start + r0 * row_bytes(info)
                base, data = next((b, d) for b, d in chunks if b <= s and s + (r1 - r0) * row_bytes(info) <= b + len(d))
                part = bytearray(data[s - base : s - base + (r1 - r0) * row_bytes(info)])
                raw = torch.frombuffer(part, dtype=torch.uint8)
                block = raw.view(DTYPES[info.dtype]).reshape(r1 - r0, *info.shape[1:]) if info.nbytes else raw
                self._blocks.setdefault(name, []).append((r0, r1, block))

    def ranges(self, name: str) -> list[tuple[int, int]]:
        return [(r0, r1) for r0, r1, _ in self._blocks.get(name, [])]

    def rows(self, name: str, r0: int, r1: int) -> torch.Tensor:
        for s, e, block in self._blocks.get(name, []):
            if s <= r0 and r1 <= e:
                return block[r0 - s : r1 - s]
        raise KeyError(f"{self.label}: rows {r0}:{r1} of {name} were not read")
