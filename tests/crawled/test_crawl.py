"""Crawls with the real huggingface_hub client over HTTP against the replay hub, into a real DuckDB file."""

from __future__ import annotations

import json
import logging
import math

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.replay.limits import FaultInjector
from pipelines.replay.store import SnapshotStore
from tests.helpers import REAL_SAMPLE, content, copy_home, crawl_into, fast_client, query, real_records
from tests.hubedit import edited_copy


def first_crawl(home) -> dict:
    cur = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        rel = cur.execute("SELECT * FROM crawls ORDER BY started_at LIMIT 1")
        return dict(zip([d[0] for d in rel.description], rel.fetchone(), strict=True))
    finally:
        cur.close()


@pytest.fixture(scope="module")
def synth_crawl(analysed_synth):
    """The clean full crawl of the synthetic hub (the analysed one, shared), for read-only assertions."""
    return analysed_synth.home, first_crawl(analysed_synth.home)


def test_real_sample_lands_with_real_sha_license_and_lineage(analysed_real):
    home = analysed_real.home
    row = first_crawl(home)
    real = [json.loads(line) for line in open(REAL_SAMPLE / "models.jsonl")]
    got = dict(query(home, "SELECT model_id, sha FROM models"))
    assert {m["id"]: m["sha"] for m in real} == got
    licenses = dict(query(home, "SELECT model_id, license FROM models"))
    assert all(
        licenses[m["id"]]
        == (m["cardData"].get("license") if isinstance(m["cardData"].get("license"), str) else licenses[m["id"]])
        for m in real
    )
    edges = set(query(home, "SELECT child_id, parent_id FROM lineage_edges"))
    declared = {
        (m["id"], b)
        for m in real
        for b in (
            [m["cardData"]["base_model"]]
            if isinstance(m["cardData"].get("base_model"), str)
            else m["cardData"].get("base_model") or []
        )
    }
    assert declared and declared <= edges
    assert row["models_seen"] == len(real) and row["status"] == "finished"
    # no history in the sample: each repo shows one synthesized commit of its listed files, in either history mode
    shown = query(home, "SELECT count(*), count(DISTINCT model_id), count(DISTINCT title) FROM commits")
    assert shown == [(len(real), len(real), 1)]
    cats = dict(query(home, "SELECT license_id, any_value(category) FROM licenses GROUP BY 1"))
    assert cats["llama2"] == "restrictive-commercial" and cats["apache-2.0"] == "permissive"
    assert cats["creativeml-openrail-m"] == "open-rail"


def test_synthetic_crawl_matches_ground_truth(synth_crawl, synth_dir):
    home, row = synth_crawl
    truth = pq.read_table(synth_dir / "truth" / "models.parquet").to_pylist()
    commits = pq.read_table(synth_dir / "truth" / "commits.parquet").to_pylist()
    assert row["models_seen"] == len(truth) == query(home, "SELECT count(*) FROM models")[0][0]
    # the initial commit is not in the truth table (it carries no category)
    assert query(home, "SELECT count(*) FROM commits")[0][0] == len(commits) + len(truth)
    tags = {(c["model_id"], c["release"]) for c in commits if c["release"]}
    assert set(query(home, "SELECT model_id, name FROM refs WHERE kind = 'tag'")) == tags
    weights = {(c["model_id"], c["commit_id"]) for c in commits if c["weights_changed"]}
    got = set(query(home, "SELECT DISTINCT model_id, commit_id FROM commit_files WHERE is_weight"))
    assert weights == got
    cards = sum(1 for t in truth if t["card_kind"] != "none")
    assert query(home, "SELECT count(*) FROM model_cards")[0][0] == cards
    assert query(home, "SELECT count(*) FROM models WHERE synthetic")[0][0] == len(truth)


def test_malformed_yaml_and_truncated_json_become_crawl_errors(synth_crawl, synth_dir):
    home, _ = synth_crawl
    truth = pq.read_table(synth_dir / "truth" / "models.parquet").to_pylist()
    malformed = {t["model_id"] for t in truth if t["card_malformed"]}
    assert malformed, "the synthetic hub plants malformed card YAML"
    card_errors = {
        r[0]
        for r in query(
            home, "SELECT model_id FROM crawl_errors WHERE stage = 'card' AND reason LIKE '%malformed YAML%'"
        )
    }
    assert malformed == card_errors
    assert all(
        ok is False
        for (ok,) in query(
            home, "SELECT yaml_ok FROM model_cards WHERE model_id IN (SELECT unnest(?))", [sorted(malformed)]
        )
    )
    json_errors = {
        r[0] for r in query(home, "SELECT model_id FROM crawl_errors WHERE stage = 'configs' AND reason LIKE '%JSON%'")
    }
    fetched = {
        r[0]
        for r in query(
            home,
            "SELECT model_id FROM models WHERE list_contains(siblings, 'adapter_config.json') OR len(base_models) = 0",
        )
    }
    truncated = {t["model_id"] for t in truth if t["truncated_json"] and t["model_id"] in fetched}
    assert truncated <= json_errors and json_errors


def test_metadata_only_listing_costs_one_request_per_page(synth_listed, synth_store):
    home, row, stats = synth_listed
    pages = math.ceil(synth_store.counts()["models"] / 1000)
    assert row["api_requests"] == pages and row["resolver_requests"] == 0 and row["repo_requests"] == 0
    # besides the listing pages, only one lookup per declared parent id that names no listed model
    # one request per id the hub is asked about, two when it answers with a redirect (renamed, other case)
    lookups, redirected = query(
        home,
        """SELECT count(*), count(*) FILTER (WHERE status IN ('renamed', 'case'))
                                             FROM model_aliases WHERE source = 'hub'""",
    )[0]
    assert redirected > 0 and row["alias_requests"] == lookups + redirected
    assert stats["requests"] == {"api": pages + row["alias_requests"]}
    assert query(home, "SELECT count(*) FROM commits")[0][0] == 0
    assert query(home, "SELECT count(*) FROM lineage_edges")[0][0] > 0


def test_incremental_recrawl_fetches_only_changed_repos(analysed_synth, synth_dir, synth_store, replay, tmp_path):
    store_path = synth_dir / "hub.sqlite"
    hub = replay(synth_store)
    home = copy_home(analysed_synth.home, tmp_path / "home")  # a full crawl of the hub, as the first one
    again = crawl_into(home, hub.url)
    assert again["repo_requests"] == 0 and again["repos_fetched"] == 0 and again["models_changed"] == 0
    ids = [r[0] for r in query(home, "SELECT model_id FROM models ORDER BY model_id LIMIT 3")]
    changed = edited_copy(
        store_path,
        tmp_path / "v2" / "hub.sqlite",
        bump=(ids[0],),
        remove=(ids[1],),
        rename={ids[2]: ids[2] + "-renamed"},
    )
    hub2 = replay(SnapshotStore(changed))
    third = crawl_into(home, hub2.url)
    assert third["repos_fetched"] == 2  # the pushed repo and the renamed one (new id)
    assert third["models_removed"] == 1 and third["models_new"] == 1
    events = set(query(home, "SELECT model_id, event FROM model_events WHERE crawl_id = ?", [third["crawl_id"]]))
    assert events == {(ids[0], "sha_changed"), (ids[1], "removed"), (ids[2] + "-renamed", "renamed")}
    assert query(home, "SELECT count(*) FROM model_history WHERE model_id = ?", [ids[0]])[0][0] == 3
    assert (
        query(home, "SELECT count(*) FROM commit_files WHERE model_id = ? AND path = 'eval_results.json'", [ids[0]])[0][
            0
        ]
        == 1
    )
    assert query(home, "SELECT count(*) FROM models WHERE model_id = ?", [ids[1]])[0][0] == 0


ISSUE_FAULTS = {"5xx": 0.10, "429": 0.05, "truncate": 0.02, "reset": 0.01, "timeout": 0.01}


def _faulty_vs_clean(store, replay, tmp_path, limit):
    clean_hub = replay(store)
    crawl_into(tmp_path / "clean", clean_hub.url, limit=limit)
    faulty_hub = replay(store, faults=FaultInjector(ISSUE_FAULTS, seed=11, stall_s=1.0, retry_after_s=0))
    client = fast_client(faulty_hub.url, timeout_s=0.5, max_retries=8, concurrency=16)
    row = crawl_into(tmp_path / "faulty", faulty_hub.url, client=client, limit=limit)
    return faulty_hub.stats()["faults"], row


def test_faults_do_not_change_what_lands(synth_store, replay, tmp_path):
    """10% 5xx, 5% 429, 2% truncated bodies, 1% resets, 1% stalls: the same content as a clean crawl."""
    injected, row = _faulty_vs_clean(synth_store, replay, tmp_path, limit=60)
    assert injected["5xx"] >= 20 and injected["429"] >= 8 and injected["truncate"] >= 2
    assert row["retries"] > 0
    assert content(tmp_path / "faulty") == content(tmp_path / "clean")
    assert (
        query(
            tmp_path / "faulty",
            "SELECT count(*) FROM crawl_errors WHERE stage NOT IN ('card', 'configs', 'energy', 'lineage')",
        )[0][0]
        == 0
    )


@pytest.mark.slow
def test_faults_on_a_whole_hub_do_not_change_what_lands(synth_store, replay, tmp_path):
    injected, _ = _faulty_vs_clean(synth_store, replay, tmp_path, limit=None)
    assert injected["5xx"] > 200
    assert content(tmp_path / "faulty") == content(tmp_path / "clean")


def test_broken_listing_pages_are_refetched(real_store, replay, tmp_path):
    hub = replay(real_store, faults=FaultInjector({"badjson": 0.4}, seed=3))
    row = crawl_into(tmp_path, hub.url, mode="metadata")
    assert row["models_seen"] == len(real_records()) and row["retries"] >= 1


def test_persistent_failures_are_quarantined_and_retried_next_crawl(synth_store, replay, tmp_path):
    # list_repo_refs (api history) is one of the calls the client never retries; with our retries off, faults stick.
    # The first 100 models: some 30 repos fail, the others land.
    hub = replay(synth_store, faults=FaultInjector({"5xx": 0.3}, seed=2, paths=r"/refs$"))
    row = crawl_into(tmp_path, hub.url, client=fast_client(hub.url, max_retries=0), history="api", limit=100)
    failed = query(tmp_path, "SELECT count(DISTINCT model_id) FROM crawl_errors WHERE stage = 'refs'")[0][0]
    assert failed == hub.stats()["faults"]["5xx"] > 10
    assert row["repos_fetched"] == row["models_changed"] - failed
    again = crawl_into(tmp_path, replay(synth_store).url, history="api", limit=100)
    assert again["repos_fetched"] == failed  # exactly the quarantined repos are fetched again


def test_token_is_never_logged_or_stored(real_store, replay, tmp_path, monkeypatch, caplog):
    secret = "hf_" + "SeCrEt" * 6
    monkeypatch.setenv("HF_TOKEN", secret)
    hub = replay(real_store, access_log=True)
    caplog.set_level(logging.DEBUG)
    crawl_into(tmp_path, hub.url, mode="metadata")
    assert secret not in caplog.text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert secret not in repr(fast_client(hub.url))
