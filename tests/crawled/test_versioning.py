"""Naming, variants, versioning, commit taxonomy and the Bayesian network, scored against the synthetic
hub's ground truth."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from analyses import bayes, naming


@pytest.fixture(scope="module")
def truth(synth_dir):
    return {t: pl.read_parquet(synth_dir / "truth" / f"{t}.parquet") for t in ("models", "commits")}


def run_cli(*args, home=None, stdin=None):
    env = {"PATH": "/usr/bin:/bin", "HUBMINE_HOME": str(home or "/nonexistent")}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_names_cli_classifies_names_from_stdin(truth):
    names = truth["models"]["model_id"].to_list()
    out = run_cli("names", "-", stdin="\n".join(names) + "\n")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "model_id,variant,naming_convention" and len(lines) == len(names) + 1
    got = pl.read_csv(out.stdout.encode())
    joined = got.join(
        truth["models"].select(
            "model_id", pl.col("variant").alias("true_variant"), pl.col("naming_convention").alias("true_convention")
        ),
        on="model_id",
    )
    variant_acc = (joined["variant"] == joined["true_variant"]).mean()
    convention_acc = (joined["naming_convention"] == joined["true_convention"]).mean()
    assert variant_acc >= 0.8, variant_acc
    assert convention_acc >= 0.6, convention_acc


def test_name_parser_on_real_names():
    cases = {
        "TheBloke/Llama-2-7B-Chat-GGUF": ("quantized", "{base-model}{size}{variant-type}{quantization}"),
        "google/gemma-2b-it": ("finetuned", "{base-model}{size}{variant-type}"),
        "mistralai/Mistral-Small-24B-Base-2501": ("base", "{base-model}{size}{size}{variant-type}{creation-date}"),
        "unsloth/Qwen2.5-7B-Instruct-bnb-4bit": ("quantized", "{base-model}{size}{variant-type}{quantization}"),
        "someone/llama-3-8b-lora": ("adapter", "{base-model}{size}{training-mechanism}"),
        "x/distilbert-base-uncased": ("distilled", "{base-model}{size}{identifier}"),
    }
    for model_id, (variant, convention) in cases.items():
        parsed = naming.parse_name(model_id)
        assert (naming.variant_from_name(parsed)[0], parsed.convention) == (variant, convention), model_id


def test_variant_types_use_lineage_and_files(analysed_synth, truth):
    got = analysed_synth.frame("SELECT model_id, variant, evidence FROM variant_types")
    joined = got.join(truth["models"].select("model_id", pl.col("variant").alias("true_variant")), on="model_id")
    assert joined.height == 400
    assert (joined["variant"] == joined["true_variant"]).mean() >= 0.85
    quantized = joined.filter(pl.col("true_variant") == "quantized")
    assert quantized.height and (quantized["variant"] == "quantized").mean() >= 0.95
    assert set(got["evidence"].str.extract(r"^(\w+)").drop_nulls()) >= {"relation", "name"}


def test_commit_categories_scored_against_truth(analysed_synth, truth):
    got: dict[tuple, set] = {}
    for m, c, cat in analysed_synth.rows("SELECT model_id, commit_id, category FROM commit_categories"):
        got.setdefault((m, c), set()).add(cat)
    tp = fp = fn = 0
    for m, c, cats in truth["commits"].select("model_id", "commit_id", "categories").iter_rows():
        g = got.get((m, c), set()) - {"Unclassified"}
        t = set(cats)
        tp, fp, fn = tp + len(g & t), fp + len(g - t), fn + len(t - g)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.85, (precision, recall)


def test_weight_changes_recorded_by_matches_truth(analysed_synth, truth):
    got = analysed_synth.frame("SELECT model_id, commit_id, recorded_by FROM weight_changes")
    t = truth["commits"].filter(pl.col("weights_changed")).select("model_id", "commit_id", "represented")
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
    out = run_cli("bn", "query", "P(documentation | collaboration=team)", home=analysed_synth.home)
    assert out.returncode == 0, out.stderr
    assert {line.split("\t")[0] for line in out.stdout.splitlines()} == {"yes", "no"}
    bad = run_cli("bn", "query", "P(documentation | collaboration=nobody)", home=analysed_synth.home)
    assert bad.returncode == 1 and "no state 'nobody'" in bad.stderr


def test_bn_query_syntax_errors_are_clear():
    with pytest.raises(bayes.QueryError, match="write it as"):
        bayes.parse_query("documentation given popular")
    assert bayes.parse_query("P(a=x | b=y, c=z)") == ("a", "x", {"b": "y", "c": "z"})
