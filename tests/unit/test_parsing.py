"""Card, license, lineage and CO2 parsing on the shapes found on the hub (and in the real sample)."""

from __future__ import annotations

import json

import pytest

from analyses import cards, energy, licenses, lineage
from pipelines.crawl.records import Rows, model_rows
from tests.helpers import REAL_SAMPLE


@pytest.mark.parametrize(
    "raw, lid, spdx, cat",
    [
        ("apache-2.0", "apache-2.0", "Apache-2.0", "permissive"),
        ("MIT", "mit", "MIT", "permissive"),
        ("Apache 2.0", "apache-2.0", "Apache-2.0", "permissive"),
        ("llama2", "llama2", "LicenseRef-scancode-llama-2-license-2023", "restrictive-commercial"),
        ("creativeml-openrail-m", "creativeml-openrail-m", "LicenseRef-hf-creativeml-openrail-m", "open-rail"),
        ("cc-by-nc-4.0", "cc-by-nc-4.0", "CC-BY-NC-4.0", "non-commercial"),
        ("gpl-3.0", "gpl-3.0", "GPL-3.0-only", "copyleft"),
        ("other", "other", "LicenseRef-hf-other", "other"),
        ("unknown", "unknown", "NOASSERTION", "unknown"),
        ("MIT OR Apache-2.0", "mit or apache-2.0", "MIT OR Apache-2.0", "permissive"),
        ("my custom terms", "my custom terms", None, "other"),
    ],
)
def test_license_normalisation(raw, lid, spdx, cat):
    (lic,) = licenses.normalize(raw)
    assert (lic.license_id, lic.spdx, lic.category) == (lid, spdx, cat)


def test_license_lists_and_absence():
    assert [x.license_id for x in licenses.normalize(["mit", "apache-2.0"])] == ["mit", "apache-2.0"]
    assert licenses.normalize(None) == [] and licenses.normalize({"weird": 1}) == []


def test_every_real_sample_license_value_resolves_to_the_knowledge_base():
    kb = licenses.knowledge_base()
    for line in open(REAL_SAMPLE / "models.jsonl"):
        card = json.loads(line)["cardData"]
        for lic in licenses.normalize(card.get("license"), card.get("license_name"), card.get("license_link")):
            assert lic.license_id in kb and lic.category in licenses.CATEGORIES, card.get("license")
            assert lic.resolved or lic.license_id in ("other", "unknown"), card.get("license")


def test_declared_edges_from_card_and_tags():
    card = {"base_model": ["org/a", "https://huggingface.co/org/b", "not a valid id!!"], "base_model_relation": "merge"}
    tags = ["base_model:org/a", "base_model:merge:org/a", "base_model:quantized:org/c"]
    edges, problems = lineage.declared_edges("x/y", card, tags)
    assert [(e.parent_id, e.relation, e.source) for e in edges] == [
        ("org/a", "merge", "card+tag"),
        ("org/b", "merge", "card"),
        ("org/c", "quantized", "tag"),
    ]
    assert problems and "not a valid id" in problems[0]
    edges, _ = lineage.declared_edges("x/y", {"base_model": "org/a"}, [])
    assert edges[0].relation == "unknown"


@pytest.mark.parametrize(
    "value, grams, valid",
    [
        (5.527544460835904, 5.527544460835904, True),
        (24700000, 24700000.0, True),
        ("17g", 17.0, True),
        ("0.5 kg", 500.0, True),
        ("1.2 kgCO2eq", 1200.0, True),
        ("3 tonnes CO2", 3e6, True),
        (
            {
                "emissions": 24700000,
                "source": "paper",
                "training_type": "pre-training",
                "geographical_location": "Orsay, France",
                "hardware_used": "384 A100 80GB GPUs",
            },
            24700000.0,
            True,
        ),
        ({"emissions": "12.5 kg"}, 12500.0, True),
        (-3.2, None, False),
        ("unknown", None, False),
        ("lots", None, False),
        (True, None, False),
    ],
)
def test_co2_shapes_and_units(value, grams, valid):
    fact = energy.from_card_data(value)
    assert fact.valid is valid
    assert fact.co2_grams == pytest.approx(grams) if grams is not None else fact.co2_grams is None
    assert valid or fact.reason


def test_co2_in_card_text():
    auto = energy.from_card_text(
        "# Model Trained Using AutoTrain\n\n- Problem type: Text Classification\n- CO2 Emissions (in grams): 2.6435\n"
    )
    assert auto.co2_grams == pytest.approx(2.6435) and auto.source == "AutoTrain"
    tmpl = energy.from_card_text(
        "## Environmental Impact\n\n- **Hardware Type:** 8 x A100 80GB\n"
        "- **Hours used:** 120\n- **Cloud Provider:** AWS\n- **Compute Region:** us-east-1\n"
        "- **Carbon Emitted:** 50.2 kg\n"
    )
    assert tmpl.co2_grams == pytest.approx(50200)
    assert (tmpl.hw_count, tmpl.hw_model, tmpl.hw_memory_gb) == (8, "A100", 80)
    assert tmpl.hours_used == 120 and tmpl.cloud_provider == "AWS"
    empty = energy.from_card_text(
        "- **Hardware Type:** [More Information Needed]\n- **Carbon Emitted:** [More Information Needed]\n"
    )
    assert empty is None


@pytest.mark.parametrize(
    "text, hw",
    [
        ("384 A100 80GB GPUs", (384, "A100", 80)),
        ("1 x T4", (1, "T4", None)),
        ("TPU v3-8", (8, "TPU v3", None)),
        ("4 x NVIDIA V100 32GB", (4, "V100", 32)),
    ],
)
def test_hardware_strings(text, hw):
    assert energy.parse_hardware(text) == hw


def test_card_front_matter_good_and_bad():
    good = cards.parse_card("---\nlicense: mit\ndate: 2024-01-01\n---\n# Title\n\n## Uses\ntext\n")
    assert good.yaml_ok and good.metadata == {"license": "mit", "date": "2024-01-01"}
    assert good.sections == ["Title", "Uses"]
    bad = cards.parse_card("---\ntags: [broken, list\nlicense: mit\n---\n# T\n")
    assert not bad.yaml_ok and "malformed YAML" in bad.yaml_error and bad.body.startswith("# T")
    assert cards.parse_card("no front matter").has_front_matter is False
    listy = cards.parse_card("---\n- a\n- b\n---\nx")
    assert not listy.yaml_ok and "not a mapping" in listy.yaml_error


def test_records_the_client_rejects_are_quarantined():
    rows = Rows("models", "lineage_edges", "licenses", "energy", "space_models")
    assert model_rows({"id": "a/b", "safetensors": {"parameters": {}}}, rows) is None  # no `total`
    assert model_rows({"no": "id"}, rows) is None
    assert model_rows({"id": "ok/model", "cardData": "oops", "tags": ["base_model:adapter:x/y"]}, rows) == "ok/model"
    reasons = [e["reason"] for e in rows["crawl_errors"]]
    assert any("rejected by huggingface_hub" in r for r in reasons) and any("without an id" in r for r in reasons)
    assert any("not a mapping" in r for r in reasons)
    assert rows["lineage_edges"] == [
        {"child_id": "ok/model", "parent_id": "x/y", "relation": "adapter", "source": "tag"}
    ]
