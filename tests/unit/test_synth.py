"""The synthetic hub: deterministic, calibrated to the published figures, consistent with its ground truth."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import numpy as np
import pyarrow.parquet as pq
import pytest
from safetensors.numpy import load

from pipelines.replay.repo import declared_parents
from pipelines.replay.store import SnapshotStore
from pipelines.replay.synth import checkpoints
from pipelines.replay.synth.generator import generate


def _digest(out) -> str:
    store = SnapshotStore(out / "hub.sqlite")
    h = hashlib.sha256()
    for rec in store.iter_models():
        h.update(json.dumps(rec, sort_keys=True).encode())
    return h.hexdigest()


def test_same_seed_same_hub(tmp_path):
    a = generate(tmp_path / "a", 300, seed=9)
    b = generate(tmp_path / "b", 300, seed=9)
    generate(tmp_path / "c", 300, seed=10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")
    assert a["models"] == b["models"] == 300
    edges = [pq.read_table(tmp_path / run / "truth" / "edges.parquet") for run in ("a", "b")]
    assert edges[0].equals(edges[1])


@pytest.fixture(scope="module")
def hub5k(tmp_path_factory):
    out = tmp_path_factory.mktemp("hub5k")
    generate(out, 5000, seed=1)
    return out, list(SnapshotStore(out / "hub.sqlite").iter_models())


def test_calibrated_to_the_published_figures(hub5k):
    out, records = hub5k
    edges = pq.read_table(out / "truth" / "edges.parquet").to_pylist()
    true_edges = [e for e in edges if e["relation"]]
    assert 0.22 <= len(true_edges) / len(records) <= 0.40  # Anatomy: 573,653 / 1,860,411 = 0.31
    rel = Counter(e["relation"] for e in true_edges)
    assert rel.most_common(1)[0][0] == "adapter" and rel["merge"] < rel["quantized"] < rel["finetune"]
    downloads = np.array(sorted((r["downloads"] for r in records), reverse=True))
    assert (downloads == 0).mean() > 0.65  # Osborne: over 70% of models have no downloads
    assert downloads[: len(downloads) // 100].sum() / downloads.sum() > 0.85  # top 1% hold ~99%
    lic = Counter((r.get("cardData") or {}).get("license") for r in records)
    assert lic.most_common(2)[1][0] == "apache-2.0"  # after "no license"
    assert all("synthetic" in r["tags"] for r in records)


def test_records_agree_with_ground_truth(hub5k):
    out, records = hub5k
    truth_edges = pq.read_table(out / "truth" / "edges.parquet").to_pylist()
    declared = {(e["child_id"], e["declared_as"]) for e in truth_edges if e["declared"]}
    in_records = {(r["id"], p) for r in records for p in declared_parents(r)}
    truth = {t["model_id"]: t for t in pq.read_table(out / "truth" / "models.parquet").to_pylist()}
    malformed = {m for m, t in truth.items() if t["card_malformed"]}
    assert in_records == {d for d in declared if d[0] not in malformed}
    ids = {r["id"] for r in records}
    orphans = [e for e in truth_edges if e["evidence"] == "orphan"]
    assert orphans and all(e["parent_id"] not in ids for e in orphans)
    assert any(e["evidence"] == "self_loop" for e in truth_edges)


def test_stale_parent_ids_redirect_to_the_true_parent(hub5k):
    out, records = hub5k
    store = SnapshotStore(out / "hub.sqlite")
    renames = pq.read_table(out / "truth" / "renames.parquet").to_pylist()
    assert renames and store.renames() == sorted((r["old_id"], r["new_id"]) for r in renames)
    stale = [
        e
        for e in pq.read_table(out / "truth" / "edges.parquet").to_pylist()
        if e["declared"] and e["declared_as"] != e["parent_id"]
    ]
    kinds = Counter("case" if e["declared_as"].lower() == e["parent_id"].lower() else "renamed" for e in stale)
    assert kinds["case"] and kinds["renamed"]
    ids = {r["id"] for r in records}
    for e in stale:
        assert e["declared_as"] not in ids and store.redirect_target(e["declared_as"]) == e["parent_id"]


def test_histories_are_consistent_with_listing(hub5k):
    out, records = hub5k
    store = SnapshotStore(out / "hub.sqlite")
    for rec in records[:300]:
        repo = store.repo(rec["id"])
        assert repo.head == rec["sha"] and repo.history[-1]["date"] == rec["lastModified"]
        assert sorted(repo.tree(len(repo.history) - 1)) == [s["rfilename"] for s in rec["siblings"]]


def test_checkpoints_carry_their_true_relation(hub5k):
    out, records = hub5k
    store = SnapshotStore(out / "hub.sqlite")
    truth = {
        t["model_id"]: t for t in pq.read_table(out / "truth" / "models.parquet").to_pylist() if t["has_checkpoint"]
    }
    assert len(truth) >= 12
    edges = [
        e
        for e in pq.read_table(out / "truth" / "edges.parquet").to_pylist()
        if e["child_id"] in truth and e["relation"]
    ]
    rels = Counter()

    def weights(mid):
        repo = store.repo(mid)
        oid, size, sha = repo.tree(len(repo.history) - 1)["model.safetensors"]
        return load(store.blob(sha))

    for e in edges:
        child, parent = weights(e["child_id"]), weights(e["parent_id"])
        name = "model.layers.0.self_attn.q_proj.weight"
        delta = np.linalg.norm(child[name] - parent[name]) / np.linalg.norm(parent[name])
        rel = e["checkpoint_relation"]
        rels[rel] += 1
        if rel == "reupload":
            assert delta == 0
        elif rel == "quantized":  # a round trip of the parent through one of the real quantizer layouts
            assert any(
                np.array_equal(child[name], checkpoints.round_trip(parent[name], scheme))
                for scheme in checkpoints.QUANT_SCHEMES
            )
        elif rel == "unrelated":
            assert delta > 0.8
        elif rel in ("finetune", "adapter"):
            assert 0 < delta < 0.5
    assert rels["finetune"] and rels["adapter"] and rels["quantized"]
