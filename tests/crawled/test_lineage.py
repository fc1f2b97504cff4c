"""Lineage and license analyses: real families against the source crawl's trees, synthetic results against
the generator's ground truth, and the pure functions on their own."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import defaultdict

import networkx as nx
import polars as pl
import pytest

from analyses import families, license_drift, licenses, traits
from tests.conftest import REAL_SAMPLE, real_records


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
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "family", "meta-llama/Llama-2-7b"],
        env={"HUBMINE_HOME": str(analysed_real.home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert f"descendants ({len(source_trees()['meta-llama/Llama-2-7b']) - 1}):" in out.stdout
    child = analysed_real.rows("SELECT child_id FROM lineage_edges WHERE parent_id = 'meta-llama/Llama-2-7b' LIMIT 1")[
        0
    ][0]
    assert child in out.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "family", "nobody/nothing"],
        env={"HUBMINE_HOME": str(analysed_real.home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and "not in the warehouse" in missing.stderr


# -- synthetic hub vs ground truth ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def truth(synth_dir):
    return {t: pl.read_parquet(synth_dir / "truth" / f"{t}.parquet") for t in ("models", "edges")}


def declared_truth(truth) -> pl.DataFrame:
    """Declared truth edges the hub can show: a card with malformed YAML declares nothing the API serves."""
    broken = truth["models"].filter(pl.col("card_malformed"))["model_id"]
    return truth["edges"].filter(pl.col("declared") & ~pl.col("child_id").is_in(broken))


def test_synth_family_sizes_match_truth(analysed_synth, truth):
    present = set(truth["models"]["model_id"])
    g = nx.Graph()
    g.add_nodes_from(present)
    for c, p in declared_truth(truth).select("child_id", "parent_id").iter_rows():
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


def test_synth_license_transitions_match_truth(analysed_synth, truth):
    lic = published_licenses(truth)
    want: dict[tuple, int] = defaultdict(int)
    for c, p in declared_truth(truth).select("child_id", "parent_id").unique().iter_rows():
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
        for (c, p) in declared_truth(truth).select("child_id", "parent_id").unique().iter_rows()
        if c != p and drops(p, c)
    }
    found = set(
        analysed_synth.rows("""SELECT child_id, parent_id FROM license_violations
                                       WHERE rule_id = 'use-restrictions-dropped'""")
    )
    assert expected and expected == found
    assert sum(n for (p, c), n in got.items() if p != c) > 10  # the generator drifts licenses


def test_synth_lineage_issues_find_planted_anomalies(analysed_synth, truth):
    planted = defaultdict(set)
    for c, p, ev in (
        truth["edges"]
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


def test_synth_inferred_edges_recover_undeclared_lineage(analysed_synth, truth):
    undeclared = {
        (c, p)
        for c, p in truth["edges"]
        .filter(~pl.col("declared") & pl.col("evidence").is_not_null())
        .select("child_id", "parent_id")
        .iter_rows()
    }
    got = set(analysed_synth.rows("SELECT child_id, parent_id FROM inferred_edges WHERE agreement = 'undeclared'"))
    true_edges = set(truth["edges"].select("child_id", "parent_id").iter_rows())
    recall = len(undeclared & got) / len(undeclared)
    precision = len(true_edges & got) / len(got)  # a declaration lost in malformed YAML is still a true edge
    assert recall >= 0.9, (recall, sorted(undeclared - got)[:5])
    assert precision >= 0.9, (precision, sorted(got - undeclared)[:5])
    sources = {r[0] for r in analysed_synth.rows("SELECT DISTINCT source FROM inferred_edges")}
    assert {"adapter_config", "name"} <= sources


def test_synth_license_mutation_rate_matches_truth(analysed_synth, truth):
    lic = published_licenses(truth)
    pairs = [
        (lic[p], lic[c])
        for c, p in declared_truth(truth).select("child_id", "parent_id").unique().iter_rows()
        if c != p and lic.get(c, "unknown") != "unknown" and lic.get(p, "unknown") != "unknown"
    ]
    want = sum(a != b for a, b in pairs) / len(pairs)
    rate, edges = analysed_synth.rows("""SELECT child_value, edges FROM drift_summary
                                         WHERE metric = 'license_mutation_rate' AND relation = 'all'""")[0]
    assert edges == len(pairs) > 20
    assert rate == pytest.approx(want)


# -- pure functions ------------------------------------------------------------------------------------
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
