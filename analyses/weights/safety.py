"""Validate a safetensors file before anything is allocated from it.

A safetensors file is an 8-byte little-endian header length, a JSON header and a data area. A hostile or
corrupt file can claim a huge header (a "header bomb"), offsets outside the file, overlapping tensors, or
shapes whose byte size does not match their offsets; each is rejected here with a clear reason.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import UnsafeCheckpoint

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the reference implementation's own bound
MAX_TENSORS = 1_000_000
DTYPE_BYTES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "F8_E5M2": 1,
    "F8_E4M3": 1,
    "I16": 2,
    "U16": 2,
    "F16": 2,
    "BF16": 2,
    "I32": 4,
    "U32": 4,
    "F32": 4,
    "I64": 8,
    "U64": 8,
    "F64": 8,
}


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str
    shape: tuple[int, ...]
    nbytes: int
    start: int = 0  # byte offset of the tensor's data in its file


def header_length(prefix: bytes, size: int, label: str, max_header: int = MAX_HEADER_BYTES) -> int:
    """The JSON header's length from a file's first 8 bytes, checked against the file's size."""
    if size < 8 or len(prefix) < 8:
        raise UnsafeCheckpoint(f"{label}: {size} bytes is too short to be a safetensors file")
    (n,) = struct.unpack("<Q", prefix[:8])
    if n > max_header:
        raise UnsafeCheckpoint(f"{label}: header claims {n:,} bytes, more than the {max_header:,}-byte bound")
    if n > size - 8:
        raise UnsafeCheckpoint(f"{label}: header claims {n:,} bytes but the file has {size - 8:,} after the length")
    return n


def read_header(path: Path, max_header: int = MAX_HEADER_BYTES) -> dict[str, TensorInfo]:
    """Tensor name -> info, after checking the header against the file's real size."""
    path = Path(path)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        n = header_length(fh.read(8), size, path.name, max_header)
        raw = fh.read(n)
    return parse_header(raw, size, path.name)


def parse_header(raw: bytes, size: int, label: str) -> dict[str, TensorInfo]:
    """Tensor name -> info from a header's JSON bytes, for a file of `size` bytes (local or read by range)."""
    n = len(raw)
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UnsafeCheckpoint(f"{label}: header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise UnsafeCheckpoint(f"{label}: header is a {type(header).__name__}, not a mapping")
    header.pop("__metadata__", None)
    if len(header) > MAX_TENSORS:
        raise UnsafeCheckpoint(f"{label}: {len(header):,} tensors is more than the {MAX_TENSORS:,} bound")
    data = size - 8 - n
    out = {name: _tensor(label, name, t, data, 8 + n) for name, t in header.items()}
    spans = sorted((i.start, i.start + i.nbytes, name) for name, i in out.items())
    for (_, e0, n0), (b1, _, n1) in itertools.pairwise(spans):
        if b1 < e0:
            raise UnsafeCheckpoint(f"{label}: tensors {n0[:60]!r} and {n1[:60]!r} overlap")
    return out


def _tensor(label: str, name: str, t, data: int, data_start: int) -> TensorInfo:
    """One header entry, checked: a known dtype, a valid shape, offsets inside the data area that fit it."""
    if not isinstance(t, dict) or t.get("dtype") not in DTYPE_BYTES:
        raise UnsafeCheckpoint(f"{label}: tensor {name[:80]!r} has no known dtype")
    shape, offsets = t.get("shape"), t.get("data_offsets")
    if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
        raise UnsafeCheckpoint(f"{label}: tensor {name[:80]!r} has an invalid shape {str(shape)[:80]}")
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(o, int) for o in offsets)
        and 0 <= offsets[0] <= offsets[1] <= data
    ):
        raise UnsafeCheckpoint(
            f"{label}: tensor {name[:80]!r} has offsets {str(offsets)[:80]} outside the {data:,}-byte data area"
        )
    nbytes = math.prod(shape) * DTYPE_BYTES[t["dtype"]]
    if nbytes != offsets[1] - offsets[0]:
        raise UnsafeCheckpoint(
            f"{label}: tensor {name[:80]!r} of shape {shape} needs {nbytes:,} bytes but its "
            f"offsets span {offsets[1] - offsets[0]:,}"
        )
    return TensorInfo(name, t["dtype"], tuple(shape), nbytes, data_start + offsets[0])
