"""`make bench-weights-evidence`: how far the weight evidence can be trusted, on SYNTHETIC checkpoints.

1. Sampled vs full reads: pairs derived from "trained-like" matrices (low-rank structure plus heavy-tailed
   noise; 31 MB per model) judged from a full read and from the sampled read `weights check` makes, with the
   budget cut to --share of each checkpoint so the sample is really a sample; agreement and bytes per model.
2. `weights check` on a served synthetic hub (byte ranges through the counted client): bytes read per model.
3. Fingerprint matches: precision and recall of weight_matches against the generator's weights-only
   undeclared parents.
4. Family trees: share of true edges the minimum spanning arborescence recovers, families of 24 models.

    python -m bench.weights_evidence [--pairs-per-kind 12] [--share 0.05]
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import torch
from safetensors.torch import save_file

from analyses.weights.diff import diff
from analyses.weights.fingerprint import fingerprint_bytes, recover_tree
from analyses.weights.reader import LocalCheckpoint, ReadRange, SampledCheckpoint
from analyses.weights.verdict import judge
from bench.harness import parser
from bench.machine import describe
from pipelines.crawl.client import COUNTER, HubClient
from pipelines.crawl.run import crawl
from pipelines.crawl.session import CrawlSpec
from pipelines.replay.server import ReplayHub
from pipelines.replay.store import open_snapshots
from pipelines.replay.synth import checkpoints
from pipelines.replay.synth.generator import generate
from pipelines.resources import HubResource
from pipelines.runner import materialize_weights

SHAPES = {
    **{f"layers.{i}.{n}.weight": (512, 512) for i in range(2) for n in ("q", "k", "v")},
    **{f"layers.{i}.mlp.weight": (2048, 512) for i in range(2)},
    "embed.weight": (8192, 512),
}


def trained(g: torch.Generator, r: int, c: int) -> torch.Tensor:
    return (
        torch.randn(r, 32, generator=g) @ torch.randn(32, c, generator=g)
    ) / 12 + 0.02 * torch.distributions.StudentT(4).sample((r, c))


def derive(kind: str, base: dict, g: torch.Generator) -> dict:
    if kind == "finetune":
        return {k: v + 0.02 * v.std() * torch.randn(v.shape, generator=g) for k, v in base.items()}
    if kind == "adapter":

        def factor(r, c):
            return 0.05 * torch.randn(r, c, generator=g)

        return {
            k: v + factor(v.shape[0], 8) @ factor(8, v.shape[1]) if "embed" not in k else v for k, v in base.items()
        }
    if kind == "quantized":
        return {
            k: torch.from_numpy(checkpoints.round_trip(v.numpy(), "int4-group32")) if "embed" not in k else v
            for k, v in base.items()
        }
    if kind == "reupload":
        return dict(base)
    return {k: trained(g, *v.shape) for k, v in base.items()}


def in_memory(blob: bytes) -> ReadRange:
    """Byte ranges of a checkpoint held in memory, as a hub's range requests would return them."""

    def read(_file: str, start: int, end: int) -> tuple[bytes, int]:
        return blob[start:end], len(blob)

    return read


def sampled_vs_full(pairs_per_kind: int, share: float) -> None:

    g = torch.Generator().manual_seed(7)
    agree, n, kinds, read = 0, 0, Counter[str](), []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(pairs_per_kind):
            base = {k: trained(g, *s) for k, s in SHAPES.items()}
            save_file(base, f"{tmp}/a.safetensors")
            for kind in ("finetune", "adapter", "quantized", "reupload", "unrelated"):
                save_file(derive(kind, base, g), f"{tmp}/b.safetensors")
                full = judge(
                    diff(
                        LocalCheckpoint(Path(tmp) / "a.safetensors"),
                        LocalCheckpoint(Path(tmp) / "b.safetensors"),
                        device="cpu",
                    )
                ).relation
                sides = []
                for name in ("a", "b"):
                    blob = (Path(tmp) / f"{name}.safetensors").read_bytes()
                    sides.append(SampledCheckpoint(name, ["m"], in_memory(blob), budget=int(share * len(blob))))
                    read.append((sides[-1].bytes_read, len(blob)))
                same = judge(diff(sides[0], sides[1], device="cpu")).relation == full
                agree += same
                kinds[kind] += same
                n += 1
    mean_read = sum(r for r, _ in read) / len(read)
    print(
        f"1. sampled vs full verdicts ({share:.0%} budget, {SHAPES.__len__()} matrices, "
        f"{read[0][1] / 1e6:.0f} MB per model): agree on {agree}/{n} pairs = {agree / n:.1%}; per kind "
        f"{dict(kinds)} of {pairs_per_kind}; bytes read per model {mean_read / 1e6:.2f} MB "
        f"({mean_read / read[0][1]:.1%} of the checkpoint)"
    )


def query(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def served_check() -> tuple[Path, Path]:
    tmp = Path(tempfile.mkdtemp(prefix="hubmine-bench-evidence-"))
    generate(tmp / "hub", 300, seed=7, checkpoint_models=300, undeclared_weights=0.35)
    hub = ReplayHub(open_snapshots([tmp / "hub"])).start()
    try:
        crawl(CrawlSpec(hub.url, "full"), tmp / "home", HubClient(hub.url, max_retries=2))
        before = COUNTER.snapshot()
        t0 = time.perf_counter()
        materialize_weights(tmp / "home", HubResource(endpoint=hub.url, max_retries=1), budget_gb=1.0)
        seconds = time.perf_counter() - t0
        after = COUNTER.snapshot()
    finally:
        hub.stop()
    ((models, mean, most, total),) = query(
        tmp / "home", "SELECT count(*), avg(bytes_read), max(bytes_read), avg(total_bytes) FROM weight_fingerprints"
    )
    pairs = query(tmp / "home", "SELECT count(*) FROM weight_diffs")[0][0]
    print(
        f"2. weights check on a served synthetic hub: {pairs} pairs, {models} checkpoints read in {seconds:.1f}s; "
        f"bytes per model mean {mean / 1e3:.0f} kB, max {most / 1e3:.0f} kB (checkpoints {total / 1e3:.0f} kB: "
        f"under the 32 MiB floor, so read whole in one request); requests: resolvers "
        f"+{after['resolvers'] - before['resolvers']}, api +{after['api'] - before['api']}"
    )
    return tmp / "hub", tmp / "home"


def matches(hub: Path, home: Path) -> None:
    edges = pl.read_parquet(hub / "truth" / "edges.parquet")
    truth = {
        (c, p)
        for c, p in edges.filter(
            ~pl.col("declared")
            & pl.col("checkpoint_relation").is_not_null()
            & (pl.col("checkpoint_relation") != "unrelated")
        )
        .select("child_id", "parent_id")
        .iter_rows()
    }
    got = set(query(home, "SELECT child_id, parent_id FROM weight_matches WHERE source = 'weights'"))
    hit = len(got & truth)
    print(
        f"3. fingerprint matches: {len(got)} found, {len(truth)} weights-findable undeclared parents in the truth; "
        f"precision {hit / max(1, len(got)):.3f}, recall {hit / max(1, len(truth)):.3f}"
    )


def trees(families: int) -> None:
    rng = np.random.default_rng(13)
    right = total = 0
    for _ in range(families):
        weights, parent_of = checkpoints.family(rng, 24)
        created = {m: datetime(2024, 1, 1) + timedelta(days=int(m[1:])) for m in weights}
        fps = [fingerprint_bytes(m, checkpoints.to_bytes(w)) for m, w in weights.items()]
        right += len({(p, c) for c, p in parent_of.items()} & set(recover_tree(fps, created)))
        total += len(parent_of)
    print(f"4. family trees ({families} families of 24 checkpoints): {right}/{total} edges right = {right / total:.1%}")


def main() -> int:
    ap = parser(__doc__, bench_dir=False)
    ap.add_argument("--pairs-per-kind", type=int, default=12)
    ap.add_argument("--share", type=float, default=0.05, help="sampled-read budget as a share of each checkpoint")
    ap.add_argument("--families", type=int, default=10)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    sampled_vs_full(args.pairs_per_kind, args.share)
    hub, home = served_check()
    matches(hub, home)
    trees(args.families)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
