"""Reuse and energy over crawled hubs: concentration and reporting figures against the generator's planted
distributions, every co2 shape of the real sample, spaces counted past the Hub's cap."""

from __future__ import annotations

import json

import networkx as nx
import polars as pl
import pytest

from analyses import energy_profile, reuse
from pipelines.replay.store import open_snapshots
from tests.helpers import crawl_into, query, real_records


def test_reuse_stats_reproduce_planted_downloads(analysed_synth, synth_truth):
    d = synth_truth["models"]["downloads"].to_list()
    gini, top1, zero = analysed_synth.rows("""SELECT gini, top1_share, zero_share FROM reuse_stats
                                              WHERE grouping = 'hub' AND metric = 'downloads'""")[0]
    assert gini == pytest.approx(reuse.gini(d))
    assert top1 == pytest.approx(reuse.top_share(d))
    assert zero == pytest.approx(sum(v == 0 for v in d) / len(d))
    assert zero > 0.5 and gini > 0.8  # calibrated to "over 70% have 0 downloads", Pareto-like activity


def test_base_model_reuse_counts_derivatives(analysed_synth):
    rows = analysed_synth.rows("""SELECT r.model_id, r.derivatives, count(e.child_id) FROM base_model_reuse r
                                  JOIN (SELECT DISTINCT child_id, coalesce(resolved_parent_id, parent_id) AS parent_id
                                        FROM lineage_edges
                                        WHERE source IN ('card', 'tag', 'card+tag') AND child_id <> parent_id) e
                                    ON e.parent_id = r.model_id GROUP BY ALL""")
    assert rows and all(d == n for _, d, n in rows)


def test_space_usage_matches_space_models(analysed_synth):
    top = analysed_synth.rows("SELECT model_id, spaces FROM space_model_usage ORDER BY spaces DESC LIMIT 1")[0]
    n = analysed_synth.rows("SELECT count(DISTINCT space_id) FROM space_models WHERE model_id = ?", [top[0]])[0][0]
    assert top[1] == n > 1
    share = analysed_synth.rows("SELECT sum(share_of_spaces) >= 1 FROM space_org_usage")[0][0]
    assert share


def test_collaboration_network_metrics(analysed_synth):
    m = dict(analysed_synth.rows("SELECT metric, value FROM collaboration_stats"))
    assert m["developers"] > 50 and 0.5 < m["isolates_share"] < 1.0
    authors = pl.DataFrame({"author": ["a", "b", "c", "d"], "owner": ["b", "a", "a", "d"], "model_id": ["x"] * 4})
    small = dict(reuse.collaboration(authors).iter_rows())
    g = nx.DiGraph([("a", "b"), ("b", "a"), ("c", "a")])
    assert small["reciprocity"] == pytest.approx(nx.reciprocity(g))
    assert small["isolates_share"] == pytest.approx(1 / 4)  # d only commits to its own repo


def test_energy_reporting_matches_planted_co2(analysed_synth, synth_truth):
    t = synth_truth["models"].filter(pl.col("co2_grams").is_not_null() & ~pl.col("card_malformed"))
    got = dict(analysed_synth.rows("SELECT model_id, co2_grams FROM energy_profile"))
    hit = [
        m for m, g in t.select("model_id", "co2_grams").iter_rows() if m in got and got[m] == pytest.approx(g, rel=1e-3)
    ]
    assert len(hit) >= 0.9 * t.height > 5
    auto, other = (
        analysed_synth.rows(f"""SELECT rate FROM energy_reporting WHERE grouping = 'autotrain'
                                           AND group_value = '{g}'""")[0][0]
        for g in ("autotrain", "other")
    )
    assert auto > other  # AutoTrain models dominate the reporting population


def test_real_sample_co2_in_every_shape(analysed_real):
    got = {m: (g, k) for m, g, k in analysed_real.rows("SELECT model_id, co2_grams, source_kind FROM energy_profile")}
    assert got["bigscience/bloom"] == (24700000.0, "card_yaml")  # a mapping
    assert got["trancoso-cc/gibberish-detector"][0] == pytest.approx(5.527544460835904)  # a bare number
    assert got["stabilityai/stable-diffusion-2-1"] == (15000000.0, "card_text")  # template, kg, parenthetical
    assert got["epfl-llm/meditron-7b"] == (6800.0, "card_text")  # a worked estimate
    hw = dict(analysed_real.rows("SELECT model_id, hw_model FROM energy_profile WHERE hw_model IS NOT NULL"))
    assert hw["epfl-llm/meditron-7b"] == "A100"


def test_stratified_sample_is_bounded_per_stratum(analysed_synth):
    rows = analysed_synth.rows("SELECT popularity, year, count(*), max(stratum_size) FROM study_sample GROUP BY ALL")
    assert len(rows) >= 3
    for _, _, n, size in rows:
        assert n == min(10, size)
    models = analysed_synth.frame("SELECT model_id, downloads, created_at FROM models")
    first = energy_profile.stratified_sample(models, 5, seed=1)
    assert first.equals(energy_profile.stratified_sample(models, 5, seed=1))


def test_space_pairs_are_stored_once_and_capped_counts_are_lower_bounds(analysed_real):
    """Real records name at most 100 spaces per model (the Hub's cap): those counts are labelled, not believed."""
    rows, pairs = analysed_real.rows("SELECT count(*), count(DISTINCT (space_id, model_id)) FROM space_models")[0]
    assert rows == pairs > 1000
    assert analysed_real.rows("SELECT DISTINCT source FROM space_models") == [("both",)]  # both listings agree here
    capped = analysed_real.rows("SELECT model_id FROM models WHERE spaces_capped ORDER BY 1")
    at_cap = sorted(r["id"] for r in real_records() if len(r.get("spaces") or []) == 100)  # the records at the cap
    assert [m for (m,) in capped] == at_cap and analysed_real.rows("SELECT max(spaces_count) FROM models")[0][0] == 100
    at_100 = analysed_real.rows("SELECT author, at_least FROM space_org_usage WHERE spaces = 100")
    assert len(at_100) >= 6 and all(at_least for _, at_least in at_100)
    capped_authors = {m.split("/")[0] for m in at_cap}
    flagged = {a for (a,) in analysed_real.rows("SELECT DISTINCT author FROM space_org_usage WHERE at_least")}
    assert flagged == capped_authors  # an author's count is a lower bound exactly when one of its models is capped


def test_spaces_listing_counts_past_the_cap(replay, tmp_path):
    """test/popular names 100 spaces (the Hub's cap) and the spaces listing shows 101 using it: the count is 101;
    test/capped names 100 and the listing shows no more: it stays a lower bound. (Synthetic records.)"""
    snap = tmp_path / "snap"
    snap.mkdir()
    names = {"test/popular": [f"u/s{i}" for i in range(100)], "test/capped": [f"v/s{i}" for i in range(100)]}
    with open(snap / "models.jsonl", "w") as fh:
        for i, (mid, spaces) in enumerate(names.items()):
            fh.write(
                json.dumps({"_id": f"{i:024x}", "id": mid, "sha": f"{i:040x}", "tags": ["synthetic"], "spaces": spaces})
                + "\n"
            )
    with open(snap / "spaces.jsonl", "w") as fh:
        for mid, spaces in names.items():
            for sid in spaces + (["u/s100"] if mid == "test/popular" else []):
                fh.write(json.dumps({"id": sid, "author": sid.split("/")[0], "models": [mid]}) + "\n")
    hub = replay(open_snapshots([snap], tmp_path / "store"))
    crawl_into(tmp_path / "home", hub.url)
    assert query(tmp_path / "home", "SELECT model_id, spaces_count, spaces_capped FROM models ORDER BY 1") == [
        ("test/capped", 100, True),
        ("test/popular", 101, False),
    ]
