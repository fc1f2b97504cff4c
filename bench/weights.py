"""`make bench-weights`: throughput of the weight diff over a large synthetic pair, next to this machine's
memory-copy bandwidth, and how much memory the diff holds compared with one tensor and the whole model.

    python -m bench.weights [--tensors 16] [--dim 4096] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from analyses.weights.diff import diff_checkpoints
from analyses.weights.verdict import judge
from bench.machine import describe, rss_anon_mb


def memcpy_gbps(nbytes: int = 1 << 30, repeats: int = 3) -> float:
    src = np.ones(nbytes // 4, dtype=np.float32)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
    return nbytes / best / 1e9


def make_pair(folder: Path, tensors: int, dim: int) -> tuple[Path, Path, int]:
    rng = np.random.default_rng(0)
    a, b = {}, {}
    for i in range(tensors):
        w = (0.02 * rng.standard_normal((dim, dim), dtype=np.float32))
        a[f"layers.{i}.weight"] = w
        b[f"layers.{i}.weight"] = w + np.float32(0.05 * 0.02) * rng.standard_normal((dim, dim), dtype=np.float32)
    save_file(a, folder / "a.safetensors")
    save_file(b, folder / "b.safetensors")
    return folder / "a.safetensors", folder / "b.safetensors", tensors * dim * dim * 4


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tensors", type=int, default=16)
    ap.add_argument("--dim", type=int, default=4096)
    ap.add_argument("--device", choices=["cpu", "cuda"])
    args = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory(prefix="hubmine-bench-") as tmp:
        a, b, model_bytes = make_pair(Path(tmp), args.tensors, args.dim)
        tensor_mb = args.dim * args.dim * 4 / 2**20
        copy = memcpy_gbps()
        peak, stop = [rss_anon_mb()], threading.Event()
        base = peak[0]

        def watch():
            while not stop.is_set():
                peak[0] = max(peak[0], rss_anon_mb())
                time.sleep(0.01)

        t = threading.Thread(target=watch, daemon=True)
        t.start()
        t0 = time.perf_counter()
        diff = diff_checkpoints(a, b, device=args.device)
        seconds = time.perf_counter() - t0
        stop.set()
        t.join()
        verdict = judge(diff)
    gbps = diff.bytes_read / seconds / 1e9
    print(f"pair: 2 x {model_bytes / 2**30:.2f} GiB ({args.tensors} tensors of {args.dim}x{args.dim} f32, "
          f"{tensor_mb:.0f} MiB each); verdict {verdict.relation} ({verdict.confidence})")
    print(f"diff: {diff.bytes_read / 1e9:.2f} GB read in {seconds:.2f}s on {diff.device} = {gbps:.2f} GB/s")
    print(f"memcpy bandwidth: {copy:.2f} GB/s; diff/memcpy ratio: {gbps / copy:.3f}")
    print(f"peak anonymous memory during the diff: +{peak[0] - base:.0f} MiB over the start "
          f"(one tensor {tensor_mb:.0f} MiB, one model {model_bytes / 2**20:.0f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
