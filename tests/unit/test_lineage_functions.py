"""Lineage and license analyses as pure functions: families, generations and Wiener indexes of small graphs,
lineage anomalies, and the license rules a derivative can break."""

from __future__ import annotations

import random

import networkx as nx
import polars as pl
import pytest

from analyses import families, license_drift, licenses


def test_lineage_issues_on_a_graph_with_every_anomaly():
    edges = pl.DataFrame(
        {
            "child_id": ["a", "b", "c", "d"],
            "parent_id": ["a", "c", "b", "zz"],
            "relation": ["finetune"] * 4,
            "parent_present": [True, True, True, False],
        }
    )
    invalid = pl.DataFrame({"child_id": ["e"], "detail": ["base_model entry 'not a repo' is not a repo id"]})
    issues = families.lineage_issues(edges, invalid, whole_hub=False)
    got = {(k, c, p) for k, c, p in issues.select("kind", "child_id", "parent_id").iter_rows()}
    assert got == {
        ("self_loop", "a", "a"),
        ("cycle", "b", "c"),
        ("cycle", "c", "b"),
        ("orphan_parent", "d", "zz"),
        ("invalid_base", "e", None),
    }
    t = families.family_tables(edges, {"a", "b", "c", "d"}, {}, 4)
    assert sorted(t.stats["size"].to_list()) == [1, 2]  # the cycle b<->c is a family; d hangs off a missing base


def test_tree_wiener_index_equals_networkx():
    rng = random.Random(5)
    for n in (1, 2, 7, 40, 120):
        t = nx.Graph()
        t.add_node(0)
        for i in range(1, n):
            t.add_edge(i, rng.randrange(i))
        assert families.tree_wiener_index(t) == nx.wiener_index(t)


def test_family_tables_shape_of_a_small_dag():
    edges = pl.DataFrame(
        {
            "child_id": ["b", "c", "d", "d", "e", "x"],
            "parent_id": ["a", "a", "b", "c", "d", "gone"],
            "relation": ["finetune", "adapter", "merge", "merge", "quantized", "finetune"],
            "parent_present": [True, True, True, True, True, False],
        }
    )
    t = families.family_tables(edges, {"a", "b", "c", "d", "e", "x", "lonely"}, {"a": "mit", "b": "mit"}, 7)
    fam = {r["family_id"]: r for r in t.stats.to_dicts()}
    assert fam["a"]["size"] == 5 and fam["a"]["depth"] == 3 and fam["a"]["merges"] == 1 and not fam["a"]["is_tree"]
    assert fam["a"]["merge_edges"] == 2 and fam["a"]["leaves"] == 1 and fam["a"]["max_breadth"] == 2
    assert fam["x"]["external_parents"] == 1 and fam["x"]["is_tree"] and fam["x"]["wiener_index"] == 1
    desc = {r["model_id"]: r["descendants"] for r in t.members.to_dicts()}
    assert desc["a"] == 4 and desc["b"] == 2
    assert dict(t.out_degree.iter_rows()) == {0: 3, 1: 3, 2: 1}  # e, x, lonely; b, c, d; a
    issues = families.lineage_issues(edges, pl.DataFrame(schema={"child_id": pl.String, "detail": pl.String}), True)
    assert set(issues["kind"]) == {"orphan_parent", "missing_base"}


def _chain_edges(pairs: list[tuple[str, str]], relation: str = "finetune") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "child_id": [c for c, _ in pairs],
            "parent_id": [p for _, p in pairs],
            "relation": [relation] * len(pairs),
            "parent_present": [True] * len(pairs),
        }
    )


def test_generation_of_a_merge_is_its_longest_chain():
    # r -> m1 -> ... -> m10, and `merged` merges m10 with the root r itself
    chain = [(f"m{i}", "r" if i == 1 else f"m{i - 1}") for i in range(1, 11)]
    edges = _chain_edges(chain + [("merged", "m10"), ("merged", "r"), ("side", "r")])
    nodes = {"r", "merged", "side", *(c for c, _ in chain)}
    t = families.family_tables(edges, nodes, {}, len(nodes))
    gen = dict(t.members.select("model_id", "generation").iter_rows())
    assert gen["merged"] == 11 and gen["m10"] == 10 and gen["side"] == 1 and gen["r"] == 0
    stats = t.stats.to_dicts()[0]
    assert stats["depth"] == 11
    assert stats["max_breadth"] == 2  # m1 and side share generation 1; every deeper generation holds one model


def test_generation_along_a_sixteen_step_chain():
    chain = [(f"c{i}", f"c{i - 1}") for i in range(1, 17)]
    edges = _chain_edges(chain)
    nodes = {f"c{i}" for i in range(17)}
    t = families.family_tables(edges, nodes, {}, len(nodes))
    gen = dict(t.members.select("model_id", "generation").iter_rows())
    assert [gen[f"c{i}"] for i in range(17)] == list(range(17))
    stats = t.stats.to_dicts()[0]
    assert (stats["depth"], stats["max_breadth"], stats["size"]) == (16, 1, 17)


def test_generations_number_a_cycle_from_its_entry():
    # a -> b <-> c -> d: the cycle is entered at b (its member with an outside parent)
    edges = _chain_edges([("b", "a"), ("c", "b"), ("b", "c"), ("d", "c")])
    gen = families.generations(families.lineage_graph(edges))
    assert gen == {"a": 0, "b": 1, "c": 2, "d": 3}
    closed = families.generations(families.lineage_graph(_chain_edges([("y", "x"), ("x", "y")])))
    assert closed == {"x": 0, "y": 1}  # no way in: numbered from the smallest member


def _lic(raw, name=None):
    return licenses.resolve(raw, name)


def _rules_fired(parent, child):
    return {(r.rule_id, r.severity) for r, _, _ in license_drift.judge(parent, child)}


def test_violations_derive_from_the_obligations_a_derivative_drops():
    # LiScan's most frequent conflicts are all violations, each naming the clause and the license text
    for parent, child in (("llama3", "apache-2.0"), ("gemma", "apache-2.0"), ("llama3.1", "creativeml-openrail-m")):
        found = license_drift.judge(_lic(parent), _lic(child))
        assert any(r.severity == "violation" for r, _, _ in found), (parent, child)
        assert all(clause and url.startswith("https://") for _, clause, url in found)
    gemma = license_drift.judge(_lic("gemma"), _lic("apache-2.0"))
    assert [(r.rule_id, c.split(":")[0]) for r, c, _ in gemma] == [("use-restrictions-dropped", "§3.1(a), §3.2")]
    # `license: other` with a license_name is judged by the named license's terms
    assert ("non-commercial-dropped", "violation") in _rules_fired(_lic("other", "exaone"), _lic("mit"))
    assert ("use-restrictions-dropped", "violation") in _rules_fired(_lic("other", "llama4"), _lic("apache-2.0"))
    assert _rules_fired(_lic("other", "llama4"), _lic("llama4")) == set()  # the same terms passed on
    assert _rules_fired(_lic("apache-2.0"), _lic("mit")) == set()  # permissive upstream: nothing to pass on
    assert _rules_fired(_lic("cc-by-sa-4.0"), _lic("mit")) == {("share-alike-dropped", "violation")}
    assert _rules_fired(_lic("cc-by-sa-4.0"), _lic("gpl-3.0")) == set()  # a compatible license named by CC
    assert _rules_fired(_lic("cc-by-nd-4.0"), _lic("cc-by-nd-4.0")) == {("no-derivatives", "violation")}
    assert _rules_fired(_lic("cc-by-nc-4.0"), _lic("cc-by-nc-sa-4.0")) == set()  # still non-commercial
    assert _rules_fired(_lic("cc-by-nc-4.0"), licenses.License(None, None, "unknown", "none")) == {
        ("license-omitted", "warning")
    }
    assert _rules_fired(_lic("llama2"), _lic("other", "some-private-terms")) == {("custom-license", "review")}
    assert _rules_fired(_lic("other"), _lic("mit")) == set()  # upstream terms unknown: counted, not judged


def test_license_rule_table_is_checked(tmp_path):
    bad = tmp_path / "rules.csv"
    bad.write_text("rule_id,obligation,downstream,severity,reason\nx,share_alike,lacks,forbidden,because\n")
    with pytest.raises(license_drift.RuleError, match="severity 'forbidden'"):
        license_drift.load_rules(bad)
    bad.write_text("rule_id,obligation,downstream,severity,reason\nx,*,lacks,violation,because\n")
    with pytest.raises(license_drift.RuleError, match="obligation `\\*`"):
        license_drift.load_rules(bad)
