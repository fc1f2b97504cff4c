"""Weight-diff checks: verdicts on checkpoints with known derivation, merges, hostile files rejected before any
allocation, safetensors only, one-line errors, range reads of a served hub (the weight check of a crawled hub:
crawled/test_weights_check)."""

from __future__ import annotations

import json
import struct
from collections import Counter

import numpy as np
import polars as pl
import pytest
import torch

from analyses.weights import safety
from analyses.weights.diff import checkpoint_files, diff, diff_checkpoints
from analyses.weights.fingerprint import fingerprint_bytes, recover_tree
from analyses.weights.merge import fit_merge
from analyses.weights.reader import LocalCheckpoint, SampledCheckpoint
from analyses.weights.verdict import A_FROM_B, B_FROM_A, judge
from pipelines.crawl.client import COUNTER, HubClient
from pipelines.crawl.retry import RetryPolicy
from pipelines.replay.synth import checkpoints
from tests.helpers import DEAD_HUB, VERDICT_OF, hubmine


def write(path, tensors):
    path.write_bytes(checkpoints.to_bytes(tensors))
    return path


def vocab_variants(base: dict, rng) -> dict[str, dict]:
    """Tokenizer transplants: rows appended, cut, or reordered; everything else equal."""
    emb = "model.embed_tokens.weight"
    grown, cut, swapped = dict(base), dict(base), dict(base)
    grown[emb] = np.concatenate([base[emb], 0.02 * rng.standard_normal((32, base[emb].shape[1]), dtype=np.float32)])
    cut[emb] = base[emb][:-20].copy()
    swapped[emb] = base[emb][rng.permutation(base[emb].shape[0])].copy()
    return {"vocab_grown": grown, "vocab_cut": cut, "vocab_swapped": swapped}


def test_verdicts_on_known_derivations(tmp_path):
    rng = np.random.default_rng(11)
    right, wrong_direction = Counter(), []
    for _ in range(8):
        base = checkpoints.init(rng)
        a = write(tmp_path / "a.safetensors", base)
        cases = {r: (checkpoints.derive(r, [base], rng), w) for r, w in VERDICT_OF.items()}
        cases.update({k: (v, "finetune") for k, v in vocab_variants(base, rng).items()})
        cases["cast_fp16"] = ({k: v.astype(np.float16) for k, v in base.items()}, "cast")
        for scheme in checkpoints.QUANT_SCHEMES:
            cases[scheme] = (
                {k: checkpoints.round_trip(v, scheme) if v.ndim == 2 else v for k, v in base.items()},
                "quantized",
            )
        for kind, (child, want) in cases.items():
            v = judge(diff_checkpoints(a, write(tmp_path / "b.safetensors", child), device="cpu"))
            right[kind] += v.relation == want
            assert 0.5 <= v.confidence <= 1.0
            if v.direction not in (None, B_FROM_A):
                wrong_direction.append((kind, v.direction))
            if want in ("quantized", "cast"):
                right[kind + ":direction"] += v.direction == B_FROM_A
    assert not wrong_direction
    assert all(n / 8 >= 0.95 for n in right.values()) and len(right) == 17, right


def test_quantized_parent_direction_and_one_d_tensors_are_no_evidence(tmp_path):
    rng = np.random.default_rng(5)
    base = checkpoints.init(rng)
    q = {k: checkpoints.round_trip(v, "int4-group32") if v.ndim == 2 else v for k, v in base.items()}
    v = judge(diff_checkpoints(write(tmp_path / "q.safetensors", q), write(tmp_path / "b.safetensors", base), "cpu"))
    assert (v.relation, v.direction) == ("quantized", A_FROM_B)
    other = checkpoints.init(rng)
    norms_equal = {k: (base[k] if v.ndim == 1 else other[k]) for k, v in base.items()}
    v = judge(diff_checkpoints(tmp_path / "b.safetensors", write(tmp_path / "o.safetensors", norms_equal), "cpu"))
    assert v.relation == "unrelated"


def test_merge_fit_recovers_soups_and_task_arithmetic(tmp_path):
    rng = np.random.default_rng(8)
    base = checkpoints.init(rng)
    fts = [checkpoints.derive("finetune", [base], rng) for _ in range(3)]
    paths = [write(tmp_path / f"p{i}.safetensors", p) for i, p in enumerate([base, *fts])]

    def fit(child, parents):
        c = LocalCheckpoint(write(tmp_path / "c.safetensors", child))
        return fit_merge(c, [LocalCheckpoint(paths[i]) for i in parents], device="cpu")

    soup = {k: 0.5 * fts[0][k] + 0.3 * fts[1][k] + 0.2 * fts[2][k] for k in base}
    f = fit(soup, [1, 2, 3])
    assert f.relation == "merge" and np.allclose(list(f.coefficients.values()), [0.5, 0.3, 0.2], atol=0.01)
    task = {k: base[k] + 0.8 * (fts[0][k] - base[k]) + 0.6 * (fts[1][k] - base[k]) for k in base}
    f = fit(task, [0, 1, 2])
    assert f.relation == "merge" and np.allclose(list(f.coefficients.values()), [-0.4, 0.8, 0.6], atol=0.02)
    assert f.residual_share < 1e-6
    ties = {}
    for k in base:
        tv = np.stack([fts[0][k] - base[k], fts[1][k] - base[k]])
        keep = np.abs(tv) >= np.quantile(np.abs(tv), 0.8, axis=tuple(range(1, tv.ndim)), keepdims=True)
        sign = np.sign((tv * keep).sum(0))
        agree = keep & (np.sign(tv) == sign)
        ties[k] = (base[k] + (tv * agree).sum(0) / np.maximum(agree.sum(0), 1)).astype(np.float32)
    assert fit(ties, [1, 2]).relation == "merge"
    lone = checkpoints.derive("finetune", [fts[0]], rng)
    f = fit(lone, [1, 2])
    assert f.relation == "single-parent" and f.coefficients[str(paths[1])] > 0.9


def test_diff_details_and_unmatched_tensors(tmp_path):
    rng = np.random.default_rng(2)
    base = checkpoints.init(rng)
    child = checkpoints.derive("adapter", [base], rng)
    child["extra.head.weight"] = np.zeros((4, 4), np.float32)
    del child["lm_head.weight"]
    d = diff_checkpoints(write(tmp_path / "a.safetensors", base), write(tmp_path / "b.safetensors", child), "cpu")
    assert d.only_in_a == ["lm_head.weight"] and d.only_in_b == ["extra.head.weight"]
    q = next(t for t in d.tensors if t.name.endswith("layers.0.self_attn.q_proj.weight"))
    assert q.identical < 0.5 and q.delta_rank <= 4 and q.delta_rank_share <= 0.1 and q.delta_low_rank_energy > 0.99
    emb = next(t for t in d.tensors if t.name == "model.embed_tokens.weight")
    assert emb.identical == 1.0 and emb.rel_l2 == 0.0


def _in_memory(blob: bytes):
    def read(_f, start, end):
        return blob[start:end], len(blob)

    return read


def test_sampled_verdicts_agree_with_full_reads(tmp_path):
    """Row-sampled reads (40% of each matrix's rows) judge like full reads."""
    rng = np.random.default_rng(21)
    agree, n = 0, 0
    for _ in range(10):
        base = checkpoints.init(rng)
        for rel in ("finetune", "adapter", "quantized", "reupload", "unrelated"):
            child = checkpoints.derive(rel, [base], rng)
            pa, pb = write(tmp_path / "a.safetensors", base), write(tmp_path / "b.safetensors", child)
            full = judge(diff_checkpoints(pa, pb, device="cpu"))
            budget = int(0.4 * pa.stat().st_size)
            sa = SampledCheckpoint("a", ["m.safetensors"], _in_memory(pa.read_bytes()), budget=budget)
            sb = SampledCheckpoint("b", ["m.safetensors"], _in_memory(pb.read_bytes()), budget=budget)
            assert sa.bytes_read < 0.6 * pa.stat().st_size
            agree += judge(diff(sa, sb, device="cpu")).relation == full.relation
            n += 1
    assert agree / n >= 0.98, (agree, n)


def header_file(path, header: dict | bytes, data: bytes = b"", claimed: int | None = None):
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", claimed if claimed is not None else len(raw)) + raw + data)
    return path


@pytest.mark.parametrize(
    "header, data, claimed, message",
    [
        ({}, b"", 10**12, "more than the"),  # header bomb
        ({}, b"", 4096, "but the file has"),  # header longer than the file
        (b"{not json", b"", None, "not valid JSON"),
        ({"w": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 16]}}, b"\0" * 16, None, "needs 4,000,000"),
        ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 64]}}, b"\0" * 16, None, "outside"),
        ({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, None, "invalid shape"),
        ({"w": {"dtype": "PICKLE", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4, None, "no known dtype"),
        (
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
            },
            b"\0" * 12,
            None,
            "overlap",
        ),
    ],
)
def test_hostile_headers_are_rejected_before_loading(tmp_path, header, data, claimed, message):
    bad = header_file(tmp_path / "bad.safetensors", header, data, claimed)
    with pytest.raises(safety.UnsafeCheckpoint, match=message):
        safety.read_header(bad)
    with pytest.raises(safety.UnsafeCheckpoint, match=message):  # the same checks on a range read
        SampledCheckpoint("hub", ["bad.safetensors"], _in_memory(bad.read_bytes()))
    good = write(tmp_path / "good.safetensors", checkpoints.init(np.random.default_rng(0)))
    with pytest.raises(safety.UnsafeCheckpoint):
        diff_checkpoints(good, bad, device="cpu")


def test_only_safetensors_are_read(tmp_path):
    pickle_file = tmp_path / "pytorch_model.bin"
    pickle_file.write_bytes(b"\x80\x04not to be unpickled")
    with pytest.raises(safety.UnsafeCheckpoint, match="only .safetensors"):
        checkpoint_files(pickle_file)
    (tmp_path / "only-pickle").mkdir()
    (tmp_path / "only-pickle" / "pytorch_model.bin").write_bytes(b"\x80\x04")
    with pytest.raises(FileNotFoundError, match="no .safetensors"):
        checkpoint_files(tmp_path / "only-pickle")


def run_cli(*args):
    return hubmine(*args, env={"HF_ENDPOINT": DEAD_HUB})


def one_line_error(out, hint: str) -> None:
    assert out.returncode != 0
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in out.stderr and hint in lines[0], lines


def test_weights_cli_diff_and_merge_print_json(tmp_path):
    rng = np.random.default_rng(4)
    base, other = checkpoints.init(rng), checkpoints.init(rng)
    a = write(tmp_path / "a.safetensors", base)
    b = write(tmp_path / "b.safetensors", checkpoints.derive("quantized", [base], rng))
    out = run_cli("weights", "diff", str(a), str(b), "--device", "cpu")
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert (res["relation"], res["direction"]) == ("quantized", B_FROM_A) and len(res["tensors"]) == 16
    o = write(tmp_path / "o.safetensors", other)
    m = write(tmp_path / "m.safetensors", {k: 0.25 * base[k] + 0.75 * other[k] for k in base})
    res = json.loads(run_cli("weights", "merge", str(m), str(a), str(o)).stdout)
    assert res["relation"] == "merge" and np.allclose(list(res["coefficients"].values()), [0.25, 0.75], atol=1e-3)
    bomb = header_file(tmp_path / "bomb.safetensors", {}, b"", 10**12)
    one_line_error(run_cli("weights", "diff", str(a), str(bomb)), "header claims")


def test_weights_cli_errors_are_one_line_with_the_fix(tmp_path, replay, synth_store):
    a = write(tmp_path / "a.safetensors", checkpoints.init(np.random.default_rng(1)))
    one_line_error(run_cli("weights", "diff", str(tmp_path / "nope-a.safetensors"), str(a)), "no such file")
    one_line_error(run_cli("weights", "diff", "org/model", "org/model2"), "--endpoint")
    hub = replay(synth_store)
    one_line_error(
        run_cli("weights", "diff", "no-such-org/no-such-model", str(a), "--endpoint", hub.url), "check the id"
    )
    if not torch.cuda.is_available():
        one_line_error(run_cli("weights", "diff", str(a), str(a), "--device", "cuda"), "--device cpu")


def test_range_reads_are_honoured_and_counted(synth_store, replay, synth_dir):
    ck = pl.read_parquet(synth_dir / "truth" / "models.parquet").filter(pl.col("has_checkpoint"))["model_id"][0]
    client = HubClient(replay(synth_store).url, retry=RetryPolicy(max_retries=1))
    info = client.api.model_info(ck)
    before = COUNTER.snapshot()
    head, size = client.read_range(ck, "model.safetensors", info.sha, 0, 8)
    after = COUNTER.snapshot()
    assert len(head) == 8 and size > 1000 and struct.unpack("<Q", head)[0] < size
    assert after["resolvers"] - before["resolvers"] >= 1 and after["api"] == before["api"]
    tail, _ = client.read_range(ck, "model.safetensors", info.sha, size - 16, size)
    assert len(tail) == 16


def test_family_trees_are_recovered_from_weights():
    """Random families of 24 checkpoints (fine-tunes, adapters, quantized copies, continued training): the
    minimum spanning arborescence over fingerprint distances, with creation dates as direction evidence."""
    from datetime import datetime, timedelta

    rng = np.random.default_rng(13)
    right = total = 0
    for _ in range(3):
        weights, parent_of = checkpoints.family(rng, 24)
        created = {m: datetime(2024, 1, 1) + timedelta(days=int(m[1:])) for m in weights}
        fps = [fingerprint_bytes(m, checkpoints.to_bytes(w)) for m, w in weights.items()]
        truth = {(p, c) for c, p in parent_of.items()}
        right += len(truth & set(recover_tree(fps, created)))
        total += len(truth)
    assert total == 69 and right / total >= 0.95, (right, total)
