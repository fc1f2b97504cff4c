"""Naming and the Bayesian network's query syntax without a crawl: `hubmine names` against the synthetic hub's
truth, the name parser on real names, clear query errors."""

from __future__ import annotations

import polars as pl
import pytest

from analyses import bayes, naming
from tests.helpers import hubmine


def test_names_cli_classifies_names_from_stdin(synth_truth):
    names = synth_truth["models"]["model_id"].to_list()
    out = hubmine("names", "-", stdin="\n".join(names) + "\n", env={"HUBMINE_HOME": "/nonexistent"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "model_id,variant,naming_convention" and len(lines) == len(names) + 1
    got = pl.read_csv(out.stdout.encode())
    joined = got.join(
        synth_truth["models"].select(
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


def test_bn_query_syntax_errors_are_clear():
    with pytest.raises(bayes.QueryError, match="write it as"):
        bayes.parse_query("documentation given popular")
    assert bayes.parse_query("P(a=x | b=y, c=z)") == ("a", "x", {"b": "y", "c": "z"})
