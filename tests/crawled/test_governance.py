"""Governance outputs: CycloneDX 1.6 / SPDX 3.0 BOMs of real-sample and synthetic models, the `boms` asset, and
upstream changes between two crawls of an evolved synthetic hub."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import networkx as nx
import polars as pl
import pyarrow.parquet as pq
import pytest
import spdx_python_model
from cyclonedx.schema import SchemaVersion
from cyclonedx.spdx import is_supported_id
from cyclonedx.validation.json import JsonStrictValidator

from analyses.bom.export import render
from analyses.bom.facts import read_facts
from analyses.licenses import resolve
from pipelines.assets.governance import boms
from pipelines.cli import main
from pipelines.instance import instance_for
from pipelines.replay.server import ReplayHub
from pipelines.replay.store import SnapshotStore
from pipelines.replay.synth.evolve import Shares, evolve
from pipelines.resources import HubmineHome
from tests.helpers import copy_home, crawl_into, query
from warehouse.query import connect_readonly
from warehouse.results import latest_crawl

DEEP = "Minbyul/meditron-7b-dpo-full-sft-wo-live_qa"  # real sample: three generations above it


def ancestors_by_sql(home, model_id: str) -> set[str]:
    """Every id above a model through lineage_edges as declared, by the warehouse's own recursion."""
    con = connect_readonly(home / "warehouse.duckdb")
    try:
        return {
            r[0]
            for r in con.execute(
                "WITH RECURSIVE up(id) AS (SELECT ?::VARCHAR UNION SELECT coalesce(e.resolved_parent_id, e.parent_id) "
                "FROM lineage_edges e JOIN up ON e.child_id = up.id) SELECT id FROM up",
                [model_id],
            ).fetchall()
        } - {model_id}
    finally:
        con.close()


def bom_of(home, model_id: str, fmt: str = "cyclonedx"):
    con = connect_readonly(home / "warehouse.duckdb")
    try:
        crawl = latest_crawl(con)
        return render(con, model_id, fmt, crawl), read_facts(con, model_id, crawl)
    finally:
        con.close()


def refs_and_licenses(node, refs: set, ids: list) -> None:
    if isinstance(node, dict):
        if "bom-ref" in node:
            refs.add(node["bom-ref"])
        if isinstance(node.get("license"), dict) and "id" in node["license"]:
            ids.append(node["license"]["id"])
        for v in node.values():
            refs_and_licenses(v, refs, ids)
    elif isinstance(node, list):
        for x in node:
            refs_and_licenses(x, refs, ids)


def check_cyclonedx(text: str) -> dict:
    """Schema-valid 1.6, every bom-ref wired into dependencies, no dangling reference, only SPDX ids in license.id."""
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    refs, ids = set(), []
    refs_and_licenses(bom, refs, ids)
    used = {d["ref"] for d in bom["dependencies"]} | {r for d in bom["dependencies"] for r in d["dependsOn"]}
    assert used <= refs and {d["ref"] for d in bom["dependencies"]} == refs
    assert all(is_supported_id(i) for i in ids), ids
    return bom


def test_real_bom_holds_the_whole_ancestry_with_evidence(analysed_real):
    written, facts = bom_of(analysed_real.home, DEEP)
    bom = check_cyclonedx(written.text)
    subject = bom["metadata"]["component"]
    want = ancestors_by_sql(analysed_real.home, DEEP)
    pedigree = {c["name"]: c for c in subject["pedigree"]["ancestors"]}
    assert len(want) >= 3 and set(pedigree) == want and written.ancestors == len(want)
    sha = analysed_real.rows("SELECT sha FROM models WHERE model_id = ?", [DEEP])[0][0]
    assert subject["type"] == "machine-learning-model" and subject["purl"] == f"pkg:huggingface/{DEEP}@{sha}"
    # llama2 has no SPDX id: it goes by name (the knowledge base's LicenseRef), never in license.id
    first = subject["licenses"][0]["license"]
    assert first["name"].startswith("LicenseRef-") and "id" not in first
    # each edge's evidence, as the warehouse has it, on the parent's component
    for e in facts.edges:
        props = {p["name"]: p["value"] for p in pedigree[e.parent_id]["properties"]}
        declared = analysed_real.rows(
            "SELECT list(DISTINCT source) FROM lineage_edges WHERE child_id = ? AND "
            "coalesce(resolved_parent_id, parent_id) = ?",
            [e.child_id, e.parent_id],
        )[0][0]
        says = props[f"hubmine:lineage:{e.child_id}:declared"]
        assert ("card" in says) == any("card" in s for s in declared)
        assert props[f"hubmine:lineage:{e.child_id}:relation"] == e.relation
    # the model's datasets are data components it depends on
    datasets = analysed_real.rows("SELECT datasets FROM models WHERE model_id = ?", [DEEP])[0][0]
    deps = {d["ref"]: d["dependsOn"] for d in bom["dependencies"]}
    assert datasets and {f"dataset:{d}" for d in datasets} <= set(deps[subject["bom-ref"]])
    # the gated llama2 root carries its gating and its own license
    root = pedigree["meta-llama/Llama-2-7b"] if "meta-llama/Llama-2-7b" in pedigree else None
    if root is not None and root["properties"][0]["value"] == "yes":
        assert any(p["name"] == "hubmine:gated" for p in root["properties"]) and root.get("licenses")


def test_real_bom_reports_license_findings_of_the_ancestry(analysed_real):
    rows = analysed_real.rows(
        "SELECT child_id, count(*) FROM license_violations WHERE severity = 'violation' "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
    )
    assert rows, "the real sample has license violations"
    model, n = rows[0]
    bom = check_cyclonedx(bom_of(analysed_real.home, model)[0].text)
    props = bom["metadata"]["component"]["properties"]
    findings = [p["value"] for p in props if p["name"] == "hubmine:license-finding"]
    assert sum(f.startswith("violation") for f in findings) >= n
    assert all(model in f or any(a in f for a in ancestors_by_sql(analysed_real.home, model)) for f in findings)


def test_spdx_bom_loads_with_the_ai_profile(analysed_real):
    written, facts = bom_of(analysed_real.home, DEEP, "spdx")
    _, objects = spdx_python_model.load_data(json.loads(written.text))
    m = spdx_python_model.v3_0_1
    packages = {p.name: p for p in objects.foreach_type(m.ai_AIPackage)}
    assert set(packages) == {DEEP} | ancestors_by_sql(analysed_real.home, DEEP)
    rels = list(objects.foreach_type(m.Relationship))
    kinds = lambda k: [r for r in rels if r.relationshipType == getattr(m.RelationshipType, k)]  # noqa: E731
    down = {(r.from_.name, t.name) for r in kinds("descendantOf") for t in r.to}
    assert down == {(e.child_id, e.parent_id) for e in facts.edges}
    assert {(t.name, r.from_.name) for r in kinds("ancestorOf") for t in r.to} == down
    trained = {t.name for r in kinds("trainedOn") if r.from_.name == DEEP for t in r.to}
    assert trained == set(analysed_real.rows("SELECT datasets FROM models WHERE model_id = ?", [DEEP])[0][0])
    declared = [r for r in kinds("hasDeclaredLicense") if r.from_.name == DEEP]
    assert declared[0].to[0].simplelicensing_licenseExpression == "LicenseRef-scancode-llama-2-license-2023"


def test_synthetic_bom_has_weight_hashes_energy_and_weight_verdicts(synth_weighed):
    home = synth_weighed.home
    verdicts = {
        (c, p): a for c, p, a in query(home, "SELECT child_id, parent_id, agrees FROM weight_diffs WHERE error IS NULL")
    }
    assert verdicts
    (child, parent), agrees = sorted(verdicts.items())[0]
    bom = check_cyclonedx(bom_of(home, child)[0].text)
    subject = bom["metadata"]["component"]
    parent_comp = next(a for a in subject["pedigree"]["ancestors"] if a["name"] == parent)
    weights = {p["name"]: p["value"] for p in parent_comp["properties"]}[f"hubmine:lineage:{child}:weights"]
    assert weights.startswith("verified" if agrees else "contradicted")
    files = dict(
        synth_weighed.rows(
            "SELECT path, lfs_sha256 FROM repo_files WHERE model_id = ? AND "
            "lfs_sha256 IS NOT NULL AND path LIKE '%.safetensors'",
            [child],
        )
    )
    assert files and {c["name"]: c["hashes"][0]["content"] for c in subject["components"]} == files
    assert any(p["name"] == "hubmine:synthetic" for p in subject["properties"])
    co2 = synth_weighed.rows(
        "SELECT model_id, co2_grams FROM energy WHERE valid AND source_kind = 'card_yaml' ORDER BY model_id LIMIT 1"
    )
    mid, grams = co2[0]
    env = check_cyclonedx(bom_of(home, mid)[0].text)["metadata"]["component"]["modelCard"]["considerations"]
    props = {p["name"]: p["value"] for p in env["environmentalConsiderations"]["properties"]}
    assert float(props["hubmine:co2-eq-emissions-grams"]) == pytest.approx(grams)


def test_bom_cli_writes_a_file_and_refuses_unknown_models(analysed_real, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(analysed_real.home))
    out = tmp_path / "b.json"
    assert main(["bom", DEEP.upper(), "--out", str(out)]) == 0
    check_cyclonedx(out.read_text())
    assert json.loads(out.read_text())["metadata"]["component"]["name"] == DEEP
    capsys.readouterr()
    assert main(["bom", "no-such-org/no-such-model", "--out", str(tmp_path / "x.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hubmine: error:") and not (tmp_path / "x.json").exists()


def test_boms_asset_writes_an_authors_models(analysed_real, tmp_path):
    author, n = analysed_real.rows("SELECT author, count(*) FROM models GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")[0]
    home = tmp_path / "home"  # the asset writes files and Dagster's run history: into a home of its own
    home.mkdir()
    shutil.copy(analysed_real.home / "warehouse.duckdb", home / "warehouse.duckdb")
    with instance_for(home) as instance:
        result = dg.materialize(
            [boms],
            resources={"home": HubmineHome(path=str(home))},
            instance=instance,
            run_config={"ops": {"boms": {"config": {"select": "author", "author": author}}}},
        )
    meta = result.asset_materializations_for_node("boms")[0].metadata
    files = sorted((home / "boms").glob(f"{author}__*.cdx.json"))
    assert meta["count"].value == n == len(files) and meta["failures"].value == 0
    check_cyclonedx(files[0].read_text())


# -- upstream changes --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_crawls(synth_listed, synth_dir, tmp_path_factory):
    """The synthetic hub crawled (listing only: synth_listed, copied), evolved with license changes and commits,
    crawled again."""
    home = copy_home(synth_listed[0], tmp_path_factory.mktemp("changes") / "home")
    evolved = tmp_path_factory.mktemp("evolved") / "hub"
    evolve(synth_dir, evolved, Shares(commits=0.03, license_changes=0.06), seed=11)
    with ReplayHub(SnapshotStore(evolved / "hub.sqlite")) as hub:
        crawl_into(home, hub.url, mode="metadata")
    return home, pq.read_table(evolved / "truth" / "changes.parquet").to_pylist(), synth_dir


def truth_descendants(synth_dir, present: set[str]) -> nx.DiGraph:
    edges = pl.read_parquet(synth_dir / "truth" / "edges.parquet").filter(pl.col("declared"))
    g = nx.DiGraph()
    g.add_edges_from((p, c) for c, p in edges.select("child_id", "parent_id").iter_rows() if c in present)
    return g


def test_changes_lists_each_planted_change_with_its_descendants(two_crawls, monkeypatch, capsys):
    home, truth, synth_dir = two_crawls
    monkeypatch.setenv("HUBMINE_HOME", str(home))
    assert main(["changes", "--format", "json"]) == 0
    rows = {r["model_id"]: r for r in json.loads(capsys.readouterr().out)}
    relicensed = [t for t in truth if t["change"] == "license"]
    assert len(relicensed) >= 10
    present = {m for (m,) in query(home, "SELECT model_id FROM models")}
    g = truth_descendants(synth_dir, present)
    for t in relicensed:
        r = rows[t["model_id"]]
        assert "license" in r["changes"]
        assert (r["old_license"], r["new_license"]) == (t["old_license"], t["new_license"])
        want = sorted((nx.descendants(g, t["model_id"]) if t["model_id"] in g else set()) & present)
        assert r["affected"] == want and r["descendants"] == len(want), t["model_id"]
    committed = {t["model_id"] for t in truth if t["change"] == "commit"}
    assert all("sha" in rows[m]["changes"] for m in committed)
    assert set(rows) == committed | {t["model_id"] for t in relicensed}  # nothing else is reported
    assert any(r["affected"] for r in rows.values() if "license" in r["changes"])


def test_changes_put_restrictive_turns_above_permissive_descendants_first(two_crawls, monkeypatch, capsys):
    home, truth, _ = two_crawls
    monkeypatch.setenv("HUBMINE_HOME", str(home))
    assert main(["changes", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    order = ["violation", "warning", "review", "notice"]
    assert [order.index(r["severity"]) for r in rows] == sorted(order.index(r["severity"]) for r in rows)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    lic = dict(query(home, "SELECT model_id, license FROM models"))
    turned = 0
    for r in rows:
        if "license" not in r["changes"]:
            continue
        old, new = resolve(r["old_license"]).category, resolve(r["new_license"]).category
        permissive = [d for d in r["affected"] if resolve(lic.get(d)).category == "permissive"]
        if old == "permissive" and new in ("non-commercial", "restrictive-commercial") and permissive:
            turned += 1
            assert r["severity"] == "violation" and set(permissive) <= set(r["flagged"])
    assert turned >= 1, "the evolved hub turns at least one license restrictive above permissive descendants"


def test_refresh_computes_upstream_changes(two_crawls, capsys, monkeypatch):
    from pipelines.assets.governance import upstream_changes
    from pipelines.definitions import defs
    from pipelines.runner import materialize_analyses

    home, _, _ = two_crawls
    job = defs.resolve_job_def("refresh_analyses")
    assert dg.AssetKey("upstream_changes") in job.asset_layer.executable_asset_keys
    materialize_analyses(home, [upstream_changes])
    table = dict(query(home, "SELECT model_id, affected FROM upstream_changes"))
    monkeypatch.setenv("HUBMINE_HOME", str(home))
    assert main(["changes", "--format", "json"]) == 0
    assert table == {r["model_id"]: r["affected"] for r in json.loads(capsys.readouterr().out)}
    assert main(["changes", "--since", "no-such-crawl"]) == 2
    assert capsys.readouterr().err.strip().startswith("hubmine: error:")
