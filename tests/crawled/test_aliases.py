"""Declared parents named by a pre-rename id or another letter case: resolved through the replay hub's redirects
by the real huggingface_hub client over HTTP, cached across crawls in model_aliases, and kept as one family."""

from __future__ import annotations

from datetime import timedelta

from pipelines.crawl import aliases
from pipelines.replay.limits import FaultInjector
from pipelines.replay.store import open_snapshots
from tests.helpers import crawl_into, fast_client, hubmine, query
from tests.hubedit import RENAMED_FAMILY, plain_record, write_plain_snapshot


def test_renamed_and_case_variant_parents_resolve_into_one_family(analysed_renamed, renamed_store):
    rows = {
        r[0]: r[1:]
        for r in analysed_renamed.rows("SELECT alias, canonical_id, mongo_id, status, source FROM model_aliases")
    }
    base_mongo = renamed_store.model("acme/base-v1")["_id"]
    assert rows["base-v1"] == ("acme/base-v1", base_mongo, "renamed", "hub")  # the 307 followed by the client
    assert rows["ACME/Base-V1"] == ("acme/base-v1", base_mongo, "case", "warehouse")  # no request needed
    edges = dict(
        ((c, p), r)
        for c, p, r in analysed_renamed.rows("SELECT child_id, parent_id, resolved_parent_id FROM lineage_edges")
    )
    assert edges[("u1/ft-old-name", "base-v1")] == "acme/base-v1"  # parent_id stays as declared
    assert edges[("u2/ft-case", "ACME/Base-V1")] == "acme/base-v1"
    assert edges[("u3/ft-current", "acme/base-v1")] == "acme/base-v1"
    family = analysed_renamed.rows("""SELECT s.size, s.external_parents FROM family_stats s JOIN family_members f
                                      USING (crawl_id, family_id) WHERE f.model_id = 'acme/base-v1'""")
    assert family == [(4, 0)]
    members = {
        m for (m,) in analysed_renamed.rows("SELECT model_id FROM family_members WHERE family_id = 'acme/base-v1'")
    }
    assert members == {"acme/base-v1", "u1/ft-old-name", "u2/ft-case", "u3/ft-current"}
    orphans = analysed_renamed.rows("SELECT child_id FROM lineage_issues WHERE kind = 'orphan_parent'")
    assert orphans == []
    stale = analysed_renamed.rows("SELECT child_id, parent_id FROM lineage_issues WHERE kind = 'stale_parent_id'")
    assert sorted(stale) == [("u1/ft-old-name", "acme/base-v1"), ("u2/ft-case", "acme/base-v1")]
    gen = dict(analysed_renamed.rows("SELECT model_id, generation FROM family_members"))
    assert gen["c/merged"] == 4 and gen["u1/ft-old-name"] == 1


def test_lookups_are_counted_apart_from_the_listing(analysed_renamed):
    api, alias_requests, models = analysed_renamed.rows("SELECT api_requests, alias_requests, models_seen FROM crawls")[
        0
    ]
    assert models == len(RENAMED_FAMILY) and api == 1  # one listing page
    assert alias_requests == 2  # GET /api/models/base-v1 -> 307, then the current id


def test_answers_are_cached_and_asked_again_when_stale(renamed_store, replay, tmp_path, monkeypatch):
    hub = replay(renamed_store)
    crawl_into(tmp_path, hub.url, mode="metadata")
    again = crawl_into(tmp_path, hub.url, mode="metadata")
    assert again["alias_requests"] == 0 and hub.stats()["requests"].get("api", 0) > 0
    later = aliases.now_utc() + aliases.RECHECK_AFTER["renamed"] + timedelta(days=1)
    monkeypatch.setattr(aliases, "now_utc", lambda: later)
    stale = crawl_into(tmp_path, hub.url, mode="metadata")
    assert stale["alias_requests"] == 2
    assert query(tmp_path, "SELECT resolved_at FROM model_aliases WHERE alias = 'base-v1'")[0][0] == later


def test_not_found_is_cached_and_failures_are_quarantined(tmp_path, replay):
    records = [plain_record(m, c) for m, c in RENAMED_FAMILY[:4]]
    records.append(plain_record("u9/orphan", {"base_model": "gone/deleted-base"}))
    records.append(plain_record("u9/unlucky", {"base_model": "flaky/base"}))
    store = open_snapshots(
        [write_plain_snapshot(tmp_path / "snap", records, {"base-v1": "acme/base-v1"})], tmp_path / "store"
    )
    faulty = replay(store, faults=FaultInjector({"5xx": 1.0}, paths=r"^/api/models/flaky/"))
    client = fast_client(faulty.url, max_retries=1)
    row = crawl_into(tmp_path / "home", faulty.url, mode="metadata", client=client)
    status = dict(query(tmp_path / "home", "SELECT alias, status FROM model_aliases"))
    assert status["gone/deleted-base"] == "not_found" and "flaky/base" not in status
    errors = query(tmp_path / "home", "SELECT model_id, reason FROM crawl_errors WHERE stage = 'aliases'")
    assert [e[0] for e in errors] == ["flaky/base"] and "HfHubHTTPError" in errors[0][1]
    assert row["models_seen"] == len(records)
    clean = replay(store)
    again = crawl_into(tmp_path / "home", clean.url, mode="metadata", client=fast_client(clean.url))
    assert again["alias_requests"] == 1  # only the failed lookup is asked again; "not found" is cached
    assert dict(query(tmp_path / "home", "SELECT alias, status FROM model_aliases"))["flaky/base"] == "not_found"


def test_family_cli_shows_declared_ids_and_clause_level_findings(analysed_renamed):
    def run(*args):
        return hubmine("family", *args, env={"HUBMINE_HOME": str(analysed_renamed.home)})

    out = run("base-v1")
    assert out.returncode == 0, out.stderr
    assert "base-v1 is an earlier id of acme/base-v1" in out.stdout and "descendants (3):" in out.stdout
    assert "u1/ft-old-name  [unknown] (declared as base-v1)" in out.stdout
    assert "u2/ft-case  [unknown] (declared as ACME/Base-V1)" in out.stdout
    scout = run("v/scout-tune").stdout
    assert (
        "violation v/scout-tune (apache-2.0) <- meta-llama/Llama-4-Scout-17B-16E (llama4): use-restrictions-dropped"
    ) in scout
    assert "§1.b.iv" in scout and "[https://www.llama.com/llama4/license/]" in scout
