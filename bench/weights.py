"""`make bench-weights`: throughput of the weight diff over a large synthetic pair, next to this machine's
memory READ bandwidth measured in the same run, and how much memory the diff holds.

What is counted: the bytes of BOTH checkpoints' tensors that the diff compares (every element of a and of b,
read once), divided by the diff's wall time (verdict included). The read bandwidth is the best of a few
multi-threaded reductions (torch.sum over all cores) of a buffer 4x larger than the last-level cache, i.e. the
rate at which this machine can stream bytes from RAM into the cores; memcpy (read + write) is shown beside it.
The pair's files are in the page cache (just written), so the diff reads RAM, not disk.

    python -m bench.weights [--tensors 16] [--dim 4096] [--device cpu|cuda] [--profile]
"""

from __future__ import annotations

import cProfile
import pstats
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file

from analyses.weights.diff import BLOCK_BYTES, diff_checkpoints
from analyses.weights.reader import LocalCheckpoint
from analyses.weights.verdict import judge
from bench.harness import parser
from bench.machine import describe, rss_anon_mb


def read_gbps(nbytes: int = 1 << 30, repeats: int = 5) -> float:
    """Memory read bandwidth: a reduction that reads every byte once and writes nothing."""
    x = torch.ones(nbytes // 4, dtype=torch.float32)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        float(x.sum())
        best = min(best, time.perf_counter() - t0)
    return nbytes / best / 1e9


def memcpy_gbps(nbytes: int = 1 << 30, repeats: int = 3) -> float:
    src = np.ones(nbytes // 4, dtype=np.float32)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
    return nbytes / best / 1e9


def mapped_read_gbps(paths: list[Path], repeats: int = 3) -> float:
    """The same files read the way the diff reads them (memory-mapped, block sums), with no arithmetic beyond a
    sum: what this machine's page cache and mapping give a reader."""

    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        total = 0
        for path in paths:
            ck = LocalCheckpoint(path)
            for name, info in ck.infos.items():
                step = max(1, BLOCK_BYTES // (info.nbytes // info.shape[0]))
                for r in range(0, info.shape[0], step):
                    float(ck.rows(name, r, min(info.shape[0], r + step)).sum())
            total += ck.bytes_read
        best = min(best, time.perf_counter() - t0)
    return total / best / 1e9


def make_pair(folder: Path, tensors: int, dim: int) -> tuple[Path, Path, int]:
    rng = np.random.default_rng(0)
    a, b = {}, {}
    for i in range(tensors):
        w = 0.02 * rng.standard_normal((dim, dim), dtype=np.float32)
        a[f"layers.{i}.weight"] = w
        b[f"layers.{i}.weight"] = w + np.float32(0.05 * 0.02) * rng.standard_normal((dim, dim), dtype=np.float32)
    save_file(a, folder / "a.safetensors")
    save_file(b, folder / "b.safetensors")
    return folder / "a.safetensors", folder / "b.safetensors", tensors * dim * dim * 4


def timed_diff(a: Path, b: Path, device: str | None, profile: bool):
    peak, stop = [rss_anon_mb()], threading.Event()
    base = peak[0]

    def watch():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_anon_mb())
            time.sleep(0.01)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    prof = cProfile.Profile() if profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    diff = diff_checkpoints(a, b, device=device)
    verdict = judge(diff)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t0
    stop.set()
    t.join()
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(12)
    return diff, verdict, seconds, peak[0] - base


def main() -> int:
    ap = parser(__doc__, bench_dir=False)
    ap.add_argument("--tensors", type=int, default=16)
    ap.add_argument("--dim", type=int, default=4096)
    ap.add_argument("--device", choices=["cpu", "cuda"])
    ap.add_argument("--profile", action="store_true", help="print where the diff spends its time")
    args = ap.parse_args()
    print(f"machine: {describe()}; torch threads: {torch.get_num_threads()}")
    with tempfile.TemporaryDirectory(prefix="hubmine-bench-") as tmp:
        a, b, model_bytes = make_pair(Path(tmp), args.tensors, args.dim)
        tensor_mb = args.dim * args.dim * 4 / 2**20
        read, copy = read_gbps(), memcpy_gbps()
        timed_diff(a, b, args.device, False)  # warm: first mapping of the files, torch kernels
        diff, verdict, seconds, peak = timed_diff(a, b, args.device, args.profile)
        read_after = read_gbps()
        mapped = mapped_read_gbps([a, b])
    gbps = diff.bytes_read / seconds / 1e9
    bandwidth = max(read, read_after)
    print(
        f"pair: 2 x {model_bytes / 2**30:.2f} GiB ({args.tensors} tensors of {args.dim}x{args.dim} f32, "
        f"{tensor_mb:.0f} MiB each); verdict {verdict.relation} ({verdict.confidence})"
    )
    print(
        f"diff: {diff.bytes_read / 1e9:.2f} GB of both checkpoints compared in {seconds:.3f}s on {diff.device} "
        f"= {gbps:.2f} GB/s"
    )
    print(
        f"memory read bandwidth: {bandwidth:.2f} GB/s (before {read:.2f}, after {read_after:.2f}); "
        f"memcpy {copy:.2f} GB/s"
    )
    print(f"ratio diff / read bandwidth: {gbps / bandwidth:.3f} (goal >= 0.5); diff / memcpy: {gbps / copy:.3f}")
    print(f"the same two files read memory-mapped with only a sum: {mapped:.2f} GB/s; diff / that: {gbps / mapped:.3f}")
    print(
        f"peak anonymous memory during the diff: +{peak:.0f} MiB over the start "
        f"(one tensor {tensor_mb:.0f} MiB, one model {model_bytes / 2**20:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
