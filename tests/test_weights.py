"""Weight-diff checks: verdicts on checkpoints with known derivation, hostile files rejected before any
allocation, safetensors only, and the sampled check of a synthetic hub served over HTTP."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from collections import Counter

import numpy as np
import polars as pl
import pytest

from analyses.weights import safety
from analyses.weights.diff import checkpoint_files, diff_checkpoints
from analyses.weights.sample import EXPECTED
from analyses.weights.verdict import judge
from pipelines.replay.server import ReplayHub
from pipelines.replay.synth import checkpoints
from pipelines.resources import HubResource
from pipelines.runner import materialize_weights

WANT = {"finetune": "finetune", "adapter": "adapter-merge", "quantized": "quantized", "merge": "merge",
        "reupload": "identical", "unrelated": "unrelated"}


def write(path, tensors):
    path.write_bytes(checkpoints.to_bytes(tensors))
    return path


def test_verdicts_on_known_derivations(tmp_path):
    rng = np.random.default_rng(11)
    right = Counter()
    for i in range(12):
        base, other = checkpoints.init(rng), checkpoints.init(rng)
        a = write(tmp_path / "a.safetensors", base)
        for relation, want in WANT.items():
            parents = [base, other] if relation == "merge" else [base]
            b = write(tmp_path / "b.safetensors", checkpoints.derive(relation, parents, rng))
            v = judge(diff_checkpoints(a, b, device="cpu"))
            right[relation] += v.relation == want
            assert 0.5 <= v.confidence <= 1.0
    for relation in WANT:
        assert right[relation] / 12 >= 0.95, (relation, right[relation])


def test_diff_details_and_unmatched_tensors(tmp_path):
    rng = np.random.default_rng(2)
    base = checkpoints.init(rng)
    child = checkpoints.derive("adapter", [base], rng)
    child["extra.head.weight"] = np.zeros((4, 4), np.float32)
    del child["lm_head.weight"]
    d = diff_checkpoints(write(tmp_path / "a.safetensors", base), write(tmp_path / "b.safetensors", child), device="cpu")
    assert d.only_in_a == ["lm_head.weight"] and d.only_in_b == ["extra.head.weight"]
    q = next(t for t in d.tensors if t.name.endswith("layers.0.self_attn.q_proj.weight"))
    assert q.identical < 0.5 and q.delta_effective_rank < 5 and q.delta_low_rank_energy > 0.99
    k = next(t for t in d.tensors if t.name.endswith("layers.0.self_attn.k_proj.weight"))
    assert k.identical == 1.0 and k.rel_l2 == 0.0


def header_file(path, header: dict | bytes, data: bytes = b"", claimed: int | None = None):
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", claimed if claimed is not None else len(raw)) + raw + data)
    return path


@pytest.mark.parametrize("header, data, claimed, message", [
    ({}, b"", 10 ** 12, "more than the"),                                          # header bomb
    ({}, b"", 4096, "but the file has"),                                           # header longer than the file
    (b"{not json", b"", None, "not valid JSON"),
    ({"w": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 16]}}, b"\0" * 16, None, "needs 4,000,000 bytes"),
    ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 64]}}, b"\0" * 16, None, "outside"),
    ({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, None, "invalid shape"),
    ({"w": {"dtype": "PICKLE", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4, None, "no known dtype"),
    ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 12, None, "overlap"),
])
def test_hostile_headers_are_rejected_before_loading(tmp_path, header, data, claimed, message):
    bad = header_file(tmp_path / "bad.safetensors", header, data, claimed)
    with pytest.raises(safety.UnsafeCheckpoint, match=message):
        safety.read_header(bad)
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


def test_weights_diff_cli_prints_relation_json(tmp_path):
    rng = np.random.default_rng(4)
    base = checkpoints.init(rng)
    a = write(tmp_path / "a.safetensors", base)
    b = write(tmp_path / "b.safetensors", checkpoints.derive("quantized", [base], rng))
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "weights", "diff", str(a), str(b), "--device", "cpu"],
                         capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["relation"] == "quantized" and res["confidence"] >= 0.9 and len(res["tensors"]) == 16
    bomb = header_file(tmp_path / "bomb.safetensors", {}, b"", 10 ** 12)
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "weights", "diff", str(a), str(bomb)],
                         capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode == 1 and "header claims" in out.stderr


def test_weight_check_of_a_served_hub_matches_truth(analysed_synth, synth_store, synth_dir):
    hub = ReplayHub(synth_store).start()
    try:
        materialize_weights(analysed_synth.home, HubResource(endpoint=hub.url, max_retries=1), budget_gb=1.0)
    finally:
        hub.stop()
    truth = pl.read_parquet(synth_dir / "truth" / "edges.parquet").filter(pl.col("checkpoint_relation").is_not_null())
    got = {(c, p): r for c, p, r in analysed_synth.rows(
        "SELECT child_id, parent_id, relation FROM weight_diffs WHERE error IS NULL")}
    checked = [(c, p, WANT[t]) for c, p, t in truth.select("child_id", "parent_id", "checkpoint_relation").iter_rows()
               if (c, p) in got]
    assert len(checked) >= 0.9 * truth.height > 5
    assert sum(got[(c, p)] == want for c, p, want in checked) / len(checked) >= 0.95
    flagged = {r[0] for r in analysed_synth.rows("SELECT unnest(flags) FROM weight_diffs")}
    if (truth["checkpoint_relation"] == "unrelated").any():
        assert "declared base does not match" in flagged
    agree = analysed_synth.rows("SELECT declared_relation, relation, agrees FROM weight_diffs WHERE agrees")
    assert all(EXPECTED[d] == r for d, r, _ in agree)
