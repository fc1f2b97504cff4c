"""Weight checks over crawled synthetic hubs served over HTTP: verdicts against the generator's truth, earlier
verdicts kept when the hub is gone, undeclared parents found from fingerprints."""

from __future__ import annotations

import polars as pl

from analyses.weights.sample import accepts
from pipelines.replay.server import ReplayHub
from pipelines.replay.store import open_snapshots
from pipelines.replay.synth.generator import generate
from pipelines.resources import HubResource
from pipelines.runner import materialize_weights
from tests.helpers import DEAD_HUB, VERDICT_OF, copy_home, crawl_into, hubmine, query


def test_weight_check_of_a_served_hub_matches_truth(synth_weighed, synth_truth):
    truth = synth_truth["edges"].filter(pl.col("checkpoint_relation").is_not_null())
    want = {**VERDICT_OF, "merge": "merge"}
    got = {(c, p): r for c, p, r in synth_weighed.rows("SELECT child_id, parent_id, relation FROM weight_diffs")}
    checked = [
        (c, p, want[t])
        for c, p, t in truth.select("child_id", "parent_id", "checkpoint_relation").iter_rows()
        if (c, p) in got
    ]
    assert len(checked) >= 0.9 * truth.height > 5
    assert sum(got[(c, p)] == w for c, p, w in checked) / len(checked) >= 0.95
    flagged = {r[0] for r in synth_weighed.rows("SELECT unnest(flags) FROM weight_diffs")}
    if (truth["checkpoint_relation"] == "unrelated").any():
        assert "declared base does not match" in flagged
    agree = synth_weighed.rows("SELECT declared_relation, relation FROM weight_diffs WHERE agrees")
    assert agree and all(accepts(d, r) for d, r in agree)
    # reads: byte ranges on /resolve/ (resolver bucket), never a listing, within the per-model bound
    fps = synth_weighed.rows("SELECT model_id, bytes_read, total_bytes, sha FROM weight_fingerprints")
    shas = dict(synth_weighed.rows("SELECT model_id, sha FROM models"))
    assert fps and all(0 < r <= max(32 * 2**20, 0.02 * t) + 2**20 and s == shas[m] for m, r, t, s in fps)
    assert synth_weighed.reads["resolvers"] >= len(fps) and synth_weighed.reads.get("api", 0) <= 1
    errors = synth_weighed.rows(
        "SELECT count(*), count(*) FILTER (WHERE error LIKE '%not found%') FROM weight_check_errors"
    )[0]
    assert errors[0] == errors[1]  # only models whose weights the synthetic snapshot does not hold


def test_weight_check_on_a_dead_hub_keeps_earlier_verdicts(synth_weighed, tmp_path):
    home = copy_home(synth_weighed.home, tmp_path / "home")
    count = "SELECT count(*) FROM weight_diffs WHERE relation IS NOT NULL"
    before = query(home, count)[0][0]
    out = hubmine("weights", "check", "--max-pairs", "3", env={"HUBMINE_HOME": str(home), "HF_ENDPOINT": DEAD_HUB})
    assert out.returncode == 1 and "Traceback" not in out.stderr and "--endpoint" in out.stderr, out.stderr[-500:]
    assert query(home, count)[0][0] == before > 0
    assert (
        query(home, "SELECT count(*) FROM weight_check_errors WHERE error LIKE 'the hub at % does not answer%'")[0][0]
        >= 1
    )


def test_fingerprints_find_undeclared_parents(tmp_path):
    """A synthetic hub where a third of the checkpoint children declare nothing at all: weight_matches finds
    their parents from fingerprints alone (precision and recall against the generator's truth)."""
    generate(tmp_path / "hub", 300, seed=7, checkpoint_models=300, undeclared_weights=0.35)
    with ReplayHub(open_snapshots([tmp_path / "hub"])) as hub:
        crawl_into(tmp_path / "home", hub.url)
        materialize_weights(tmp_path / "home", HubResource(endpoint=hub.url, max_retries=1), budget_gb=1.0)
    edges = pl.read_parquet(tmp_path / "hub" / "truth" / "edges.parquet")
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
    got = {
        (c, p)
        for c, p in query(tmp_path / "home", "SELECT child_id, parent_id FROM weight_matches WHERE source = 'weights'")
    }
    assert len(truth) >= 10  # enough undeclared parents for the figures below to mean something
    precision, recall = len(got & truth) / max(1, len(got)), len(got & truth) / len(truth)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, sorted(truth - got)[:3], sorted(got - truth)[:3])
