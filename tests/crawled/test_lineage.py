"""Lineage and license analyses over crawled hubs: real families against the source crawl's trees, synthetic results
against the generator's ground truth (the pure functions: unit/test_lineage_functions)."""

from __future__ import annotations

import json
from collections import defaultdict

import networkx as nx
import polars as pl
import pytest

from analyses import licenses, traits
from tests.helpers import REAL_SAMPLE, hubmine, real_records


def source_trees() -> dict[str, set[str]]:
    """root -> members the source crawl recorded (those with metadata in the sample)."""
    have = {json.loads(line)["id"] for line in open(REAL_SAMPLE / "models.jsonl")}
    want: dict[str, set[str]] = defaultdict(set)
    for line in open(REAL_SAMPLE / "trees.jsonl"):
        row = json.loads(line)
        if row["model_id"] in have:
            want[row["root"]].add(row["model_id"])
    return want


# -- real sample ---------------------------------------------------------------------------------------
def test_real_family_sizes_match_source_trees(analysed_real):
    want = source_trees()
    roots = {json.loads(line)["root"] for line in open(REAL_SAMPLE / "trees.jsonl")}
    assert set(want) == roots and len(roots) >= 25
    members = {
        m: (fam, ft)
        for m, fam, ft in analysed_real.rows("SELECT model_id, family_id, finetune_descendants FROM family_members")
    }
    sizes = dict(analysed_real.rows("SELECT family_id, size FROM family_stats"))
    by_family: dict[str, set[str]] = defaultdict(set)
    for root, tree in want.items():
        if len(tree) == 1:
            assert root not in members, f"{root} has no relatives in the source crawl"
            continue
        family, ft_desc = members[root]
        assert ft_desc + 1 == len(tree), f"{root}: {ft_desc + 1} in the fine-tune tree, source recorded {len(tree)}"
        by_family[family] |= tree
    # a family (weakly connected component) is the union of the source trees it joins
    for family, union in by_family.items():
        assert sizes[family] == len(union), family
    # the longest derivation chain is at least as deep as the source crawl's (breadth-first) depth of its trees
    tree_depth: dict[str, int] = defaultdict(int)
    for line in open(REAL_SAMPLE / "trees.jsonl"):
        row = json.loads(line)
        if row["model_id"] in members:
            fam = members[row["model_id"]][0]
            tree_depth[fam] = max(tree_depth[fam], int(row["depth"]))
    depth = dict(analysed_real.rows("SELECT family_id, depth FROM family_stats"))
    assert all(depth[f] >= d for f, d in tree_depth.items()) and max(depth.values()) >= 3


def test_real_llama2_relicensed_apache_is_a_violation_naming_the_clause(analysed_real):
    rows = analysed_real.rows("""SELECT child_id, parent_id, rule_id, severity, clause, source_url
                                 FROM license_violations
                                 WHERE parent_license = 'llama2' AND child_license = 'apache-2.0'""")
    assert rows, "the real Llama-2 family has apache-2.0 derivatives"
    by_rule = defaultdict(set)
    for child, parent, rule, severity, clause, url in rows:
        by_rule[rule].add((child, parent))
        assert severity == "violation" and url == "https://ai.meta.com/llama/license/"
        assert ("§1.b.iv" in clause) if rule == "use-restrictions-dropped" else ("700 million" in clause)
    assert set(by_rule) == {"use-restrictions-dropped", "user-threshold-dropped"}
    unnamed = analysed_real.rows("SELECT count(*) FROM license_violations WHERE clause IS NULL OR source_url IS NULL")
    assert unnamed == [(0,)]  # every finding names its clause and the license text
    assert by_rule["use-restrictions-dropped"] == by_rule["user-threshold-dropped"]  # one finding per dropped clause
    # and the transition matrix counts the same edges
    n = analysed_real.rows("""SELECT edges FROM license_transitions WHERE level = 'license'
                              AND parent_value = 'llama2' AND child_value = 'apache-2.0'""")[0][0]
    assert n == len(by_rule["use-restrictions-dropped"])


def test_real_sample_licenses_resolve_against_the_knowledge_base(analysed_real):
    values = {(r.get("cardData") or {}).get("license") for r in real_records()}
    values = {v for v in values if isinstance(v, str)}
    assert values and all(licenses.resolve(v).license_id in licenses.knowledge_base() for v in values)
    # license: other resolves through license_name; what stays unresolved is counted, models and edges alike
    named = analysed_real.rows("""SELECT count(*) FROM licenses WHERE license_raw = 'other' AND license_id = 'llama4'
                                  AND resolution = 'license_name'""")[0][0]
    assert named == sum(1 for r in real_records() if (r.get("cardData") or {}).get("license_name") == "llama4")
    cov = {
        (scope, side, res): (ok, n)
        for scope, side, res, ok, n in analysed_real.rows(
            "SELECT scope, side, resolution, resolved, items FROM license_coverage"
        )
    }
    assert sum(n for (scope, _, _), (_, n) in cov.items() if scope == "models") == len(real_records())
    named_only = ("cogvideox-license", "intel-research-use-license")  # a license_name without a license value
    no_license = sum(
        1
        for r in real_records()
        if (r.get("cardData") or {}).get("license") is None
        and (r.get("cardData") or {}).get("license_name") not in named_only
    )
    assert cov[("models", None, "none")] == (False, no_license)
    edges = analysed_real.rows("SELECT count(*) FROM lineage_edges WHERE source IN ('card', 'tag', 'card+tag')")[0][0]
    either = sum(n for (scope, side, _), (_, n) in cov.items() if side == "either")
    assert 0 < either <= edges


def test_real_result_tables_carry_the_crawl_id(analysed_real):
    crawl_id = analysed_real.rows("SELECT crawl_id FROM crawls")[0][0]
    for table in (
        "family_stats",
        "family_members",
        "license_transitions",
        "license_violations",
        "trait_similarity",
        "inferred_edges",
        "edge_drift",
        "drift_summary",
        "lineage_issues",
        "lineage_out_degree",
    ):
        got = analysed_real.rows(f"SELECT DISTINCT crawl_id FROM {table}")
        assert got == [(crawl_id,)], table


def test_trait_similarity_has_every_pair_type_with_intervals(analysed_real):
    rows = analysed_real.rows(
        "SELECT pair_type, pairs, mean, ci_low, ci_high FROM trait_similarity WHERE trait = 'all'"
    )
    assert {r[0] for r in rows} == set(traits.PAIR_TYPES)
    for pair_type, n, mean, lo, hi in rows:
        assert n > 20 and lo <= mean <= hi, pair_type
    means = {r[0]: r[2] for r in rows}
    assert means["sibling"] > means["cross_family_random"]


def test_family_cli_prints_relatives(analysed_real):
    out = hubmine("family", "meta-llama/Llama-2-7b", env={"HUBMINE_HOME": str(analysed_real.home)})
    assert out.returncode == 0, out.stderr
    assert f"descendants ({len(source_trees()['meta-llama/Llama-2-7b']) - 1}):" in out.stdout
    child = analysed_real.rows("SELECT child_id FROM lineage_edges WHERE parent_id = 'meta-llama/Llama-2-7b' LIMIT 1")[
        0
    ][0]
    assert child in out.stdout
    missing = hubmine("family", "nobody/nothing", env={"HUBMINE_HOME": str(analysed_real.home)})
    assert missing.returncode == 1 and "not in the warehouse" in missing.stderr


# -- synthetic hub vs ground truth ---------------------------------------------------------------------
def declared_truth(truth) -> pl.DataFrame:
    """Declared truth edges the hub can show: a card with malformed YAML declares nothing the API serves."""
    broken = truth["models"].filter(pl.col("card_malformed"))["model_id"]
    return truth["edges"].filter(pl.col("declared") & ~pl.col("child_id").is_in(broken))


def test_synth_family_sizes_match_truth(analysed_synth, synth_truth):
    present = set(synth_truth["models"]["model_id"])
    g = nx.Graph()
    g.add_nodes_from(present)
    for c, p in declared_truth(synth_truth).select("child_id", "parent_id").iter_rows():
        if c != p:
            g.add_edge(c, p)
    want = sorted(len([n for n in comp if n in present]) for comp in nx.connected_components(g) if len(comp) > 1)
    got = sorted(r[0] for r in analysed_synth.rows("SELECT size FROM family_stats"))
    assert len(got) > 20 and got == want


def published_licenses(truth) -> dict[str, str]:
    """Each model's true license as the hub shows it: a model without a (parseable) card declares none."""
    visible = (pl.col("card_kind") != "none") & ~pl.col("card_malformed")
    return dict(
        truth["models"].select("model_id", pl.when(visible).then(pl.col("license")).fill_null("unknown")).iter_rows()
    )


def test_synth_license_transitions_match_truth(analysed_synth, synth_truth):
    lic = published_licenses(synth_truth)
    want: dict[tuple, int] = defaultdict(int)
    for c, p in declared_truth(synth_truth).select("child_id", "parent_id").unique().iter_rows():
        if c != p and c in lic and p in lic:
            want[(lic[p], lic[c])] += 1
    got = {
        (p, c): n
        for p, c, n in analysed_synth.rows(
            "SELECT parent_value, child_value, edges FROM license_transitions WHERE level = 'license'"
        )
    }
    assert got == dict(want)

    # every truth edge whose upstream passes use restrictions on, to a known license without them, is reported
    def drops(p, c):
        up, down = licenses.terms_of(lic.get(p)), licenses.terms_of(lic.get(c))
        return (
            up is not None
            and up.clause("use_restrictions")
            and down is not None
            and down.known
            and not down.clause("use_restrictions")
            and lic.get(p) != lic.get(c)
        )

    expected = {
        (c, p)
        for (c, p) in declared_truth(synth_truth).select("child_id", "parent_id").unique().iter_rows()
        if c != p and drops(p, c)
    }
    found = set(
        analysed_synth.rows("""SELECT child_id, parent_id FROM license_violations
                                       WHERE rule_id = 'use-restrictions-dropped'""")
    )
    assert expected and expected == found
    assert sum(n for (p, c), n in got.items() if p != c) > 10  # the generator drifts licenses


def test_synth_lineage_issues_find_planted_anomalies(analysed_synth, synth_truth):
    planted = defaultdict(set)
    for c, p, ev in (
        synth_truth["edges"]
        .filter(pl.col("evidence").is_in(["cycle", "orphan", "self_loop"]))
        .select("child_id", "parent_id", "evidence")
        .iter_rows()
    ):
        planted[ev].add((c, p))
    found = defaultdict(set)
    for kind, c, p in analysed_synth.rows("SELECT kind, child_id, parent_id FROM lineage_issues"):
        found[kind].add((c, p))
    kinds = {"self_loop": "self_loop", "orphan": "orphan_parent", "cycle": "cycle"}
    assert planted, "the generator plants lineage anomalies"
    for ev, kind in kinds.items():
        assert planted[ev] <= found[kind], ev
    checks = {e.check_name: e.passed for e in analysed_synth.result.get_asset_check_evaluations()}
    assert checks["no_lineage_cycles"] is not bool(planted["cycle"])
    assert checks["no_self_loops"] is not bool(planted["self_loop"])
    assert checks["parents_in_warehouse"] is False


def test_synth_inferred_edges_recover_undeclared_lineage(analysed_synth, synth_truth):
    undeclared = {
        (c, p)
        for c, p in synth_truth["edges"]
        .filter(~pl.col("declared") & pl.col("evidence").is_not_null())
        .select("child_id", "parent_id")
        .iter_rows()
    }
    got = set(analysed_synth.rows("SELECT child_id, parent_id FROM inferred_edges WHERE agreement = 'undeclared'"))
    true_edges = set(synth_truth["edges"].select("child_id", "parent_id").iter_rows())
    recall = len(undeclared & got) / len(undeclared)
    precision = len(true_edges & got) / len(got)  # a declaration lost in malformed YAML is still a true edge
    assert recall >= 0.9, (recall, sorted(undeclared - got)[:5])
    assert precision >= 0.9, (precision, sorted(got - undeclared)[:5])
    sources = {r[0] for r in analysed_synth.rows("SELECT DISTINCT source FROM inferred_edges")}
    assert {"adapter_config", "name"} <= sources


def test_synth_license_mutation_rate_matches_truth(analysed_synth, synth_truth):
    lic = published_licenses(synth_truth)
    pairs = [
        (lic[p], lic[c])
        for c, p in declared_truth(synth_truth).select("child_id", "parent_id").unique().iter_rows()
        if c != p and lic.get(c, "unknown") != "unknown" and lic.get(p, "unknown") != "unknown"
    ]
    want = sum(a != b for a, b in pairs) / len(pairs)
    rate, edges = analysed_synth.rows("""SELECT child_value, edges FROM drift_summary
                                         WHERE metric = 'license_mutation_rate' AND relation = 'all'""")[0]
    assert edges == len(pairs) > 20
    assert rate == pytest.approx(want)
