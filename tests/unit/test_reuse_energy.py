"""Reuse and energy figures and `hubmine card` without a crawl: concentration on known distributions, a worked
CO2 estimate, card facts from stdin and from a malformed file."""

from __future__ import annotations

import json

import pytest

from analyses import energy, reuse
from tests.helpers import REAL_SAMPLE, hubmine


def test_gini_and_top_share_on_known_distributions():
    assert reuse.gini([5, 5, 5, 5]) == pytest.approx(0.0)
    assert reuse.gini([0] * 99 + [100]) == pytest.approx(0.99)
    assert reuse.top_share([1] * 99 + [901], 0.01) == pytest.approx(0.901)
    assert reuse.gini([]) is None and reuse.gini([0, 0]) is None


def test_worked_estimate_takes_the_result_not_the_rate():
    grams, reason = energy.grams_from_value("0.016 kgCO2/kWh * 73.6 h * 8 GPU * 1.8 PUE = 6.8 kgCO2.")
    assert grams == pytest.approx(6800) and reason is None


def test_card_cli_prints_extracted_facts():
    card = (REAL_SAMPLE / "cards" / "epfl-llm__meditron-7b.md").read_text()
    out = hubmine("card", "-", stdin=card)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["license"][0]["license_id"] == "llama2" and facts["license"][0]["category"] == "restrictive-commercial"
    assert facts["base_model"] == [{"id": "meta-llama/Llama-2-7b", "relation": "unknown"}]
    assert facts["co2"][0]["co2_grams"] == 6800.0 and facts["hardware"][0]["count"] == 8


def test_card_cli_reports_malformed_yaml_without_crashing(tmp_path):
    bad = tmp_path / "README.md"
    bad.write_text("---\nlicense: [apache-2.0\nco2_eq_emissions: -5\n---\n# Model\n")
    out = hubmine("card", str(bad))
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    assert facts["yaml"]["ok"] is False and "malformed YAML" in facts["yaml"]["error"]
    negative = energy.from_card_data(-5)
    assert negative.valid is False and "negative" in negative.reason
