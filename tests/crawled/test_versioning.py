"""Variants, versioning, commit taxonomy and the Bayesian network of the crawled synthetic hub, scored against its
ground truth (naming and query syntax alone: unit/test_versioning)."""

from __future__ import annotations

import polars as pl
import pytest

from analyses import bayes
from tests.helpers import hubmine


def test_variant_types_use_lineage_and_files(analysed_synth, synth_truth):
    got = analysed_synth.frame("SELECT model_id, variant, evidence FROM variant_types")
    joined = got.join(synth_truth["models"].select("model_id", pl.col("variant").alias("true_variant")), on="model_id")
    assert joined.height == 400
    assert (joined["variant"] == joined["true_variant"]).mean() >= 0.85
    quantized = joined.filter(pl.col("true_variant") == "quantized")
    assert quantized.height and (quantized["variant"] == "quantized").mean() >= 0.95
    assert set(got["evidence"].str.extract(r"^(\w+)").drop_nulls()) >= {"relation", "name"}


def test_commit_categories_scored_against_truth(analysed_synth, synth_truth):
    got: dict[tuple, set] = {}
    for m, c, cat in analysed_synth.rows("SELECT model_id, commit_id, category FROM commit_categories"):
        got.setdefault((m, c), set()).add(cat)
    tp = fp = fn = 0
    for m, c, cats in synth_truth["commits"].select("model_id", "commit_id", "categories").iter_rows():
        g = got.get((m, c), set()) - {"Unclassified"}
        t = set(cats)
        tp, fp, fn = tp + len(g & t), fp + len(g - t), fn + len(t - g)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.85, (precision, recall)


def test_weight_changes_recorded_by_matches_truth(analysed_synth, synth_truth):
    got = analysed_synth.frame("SELECT model_id, commit_id, recorded_by FROM weight_changes")
    t = synth_truth["commits"].filter(pl.col("weights_changed")).select("model_id", "commit_id", "represented")
    joined = got.join(t, on=["model_id", "commit_id"])
    assert joined.height >= 0.9 * got.height > 100
    assert (joined["recorded_by"] == joined["represented"]).mean() >= 0.95
    share = analysed_synth.rows(
        "SELECT value FROM versioning_summary WHERE metric = 'weight_changes_not_recorded_share'"
    )
    assert share[0][0] == pytest.approx((got["recorded_by"] == "none").mean())


def test_bayesian_network_recovers_planted_dependencies(analysed_synth):
    edges = {
        frozenset((a, b))
        for a, b in analysed_synth.rows("SELECT source, target FROM bn_edges WHERE method = 'hill_climb_bic'")
    }
    assert frozenset(("collaboration", "documentation")) in edges  # collaborative repos document more
    assert edges & {frozenset(("release", "sharing")), frozenset(("release", "output_data"))}  # releases consolidate
    n_rows = analysed_synth.rows("SELECT count(*) FROM bn_phase_data")[0][0]
    assert n_rows > 300


def test_bn_query_from_stored_cpds(analysed_synth):
    cpds = analysed_synth.frame("SELECT variable, value, parents, probability FROM bn_cpds")
    team = bayes.query(cpds, "P(documentation=yes | collaboration=team)")["yes"]
    solo = bayes.query(cpds, "P(documentation=yes | collaboration=solo)")["yes"]
    assert team > solo
    dist = bayes.query(cpds, "P(documentation)")
    assert sum(dist.values()) == pytest.approx(1.0)
    out = hubmine(
        "bn", "query", "P(documentation | collaboration=team)", env={"HUBMINE_HOME": str(analysed_synth.home)}
    )
    assert out.returncode == 0, out.stderr
    assert {line.split("\t")[0] for line in out.stdout.splitlines()} == {"yes", "no"}
    bad = hubmine(
        "bn", "query", "P(documentation | collaboration=nobody)", env={"HUBMINE_HOME": str(analysed_synth.home)}
    )
    assert bad.returncode == 1 and "no state 'nobody'" in bad.stderr
