"""Commit history through git: the crawler's git mode against api mode, commit-level increments after `hub evolve`,
force pushes, faults on git requests (the git server itself: unit/test_replay_git)."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from pipelines.crawl.gitremote import default_history
from pipelines.replay.limits import FaultInjector
from pipelines.replay.server import ReplayHub
from pipelines.replay.store import SnapshotStore
from pipelines.replay.synth.evolve import Shares, evolve
from tests.helpers import crawl_into, fast_client, query
from tests.hubedit import edited_copy

LIMIT = 100  # the first models of the 400-model synthetic hub: enough repos of every kind, quick to crawl twice
HISTORY = {
    "commits": "model_id, commit_id, position, title, message, authors, date, files_known",
    "commit_files": "model_id, commit_id, path, change, oid, size, lfs_sha256, is_weight",
    "refs": "model_id, kind, name, ref, target_commit",
    "repo_files": "model_id, path, size, oid, lfs_sha256",
    "model_cards": "model_id, sha, md5(body), metadata",
    "lineage_edges": "child_id, parent_id, relation, source",
    "repo_configs": "model_id, path, base_model_name_or_path, name_or_path, model_type",
    "energy": "model_id, source_kind, co2_grams, valid",
    "repo_state": "model_id, fetched_sha, list_sort(files_read)",
}


def digests(home, models: list[str] | None = None) -> dict[str, tuple]:
    """Count and digest of each history table (of the given models only, when given)."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        out = {}
        for t, cols in HISTORY.items():
            key = "child_id" if t == "lineage_edges" else "model_id"
            where = f"WHERE {key} IN (SELECT unnest(?))" if models is not None else ""
            out[t] = con.execute(
                f"SELECT count(*), md5(string_agg(x, '|' ORDER BY x)) FROM "
                f"(SELECT concat_ws(',', {cols}) x FROM {t} {where})",
                [models] if models is not None else [],
            ).fetchone()
        return out
    finally:
        con.close()


pytestmark = pytest.mark.skipif(default_history() != "git", reason="needs a git >= 2.30 binary")


@pytest.fixture(scope="module")
def evolved(synth_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("evolved") / "hub"
    counts = evolve(synth_dir, out, Shares(commits=0.08, renames=0.02, removals=0.02, license_changes=0.04), seed=5)
    return out, counts


@pytest.fixture(scope="module")
def crawled(synth_dir, evolved, tmp_path_factory):
    """The first LIMIT models crawled through git and through the API, then again after `hub evolve`."""
    base = tmp_path_factory.mktemp("two-modes")
    out = {}
    for phase, snap in (("before", synth_dir), ("after", evolved[0])):
        store = SnapshotStore(snap / "hub.sqlite")
        with ReplayHub(store) as hub:
            for mode in ("git", "api"):
                row = crawl_into(base / mode, hub.url, history=mode, limit=LIMIT)
                out[phase, mode] = {"row": row, "digests": digests(base / mode), "stats": hub.stats()}
                hub.endpoints.clear()
                hub.requests.clear()
    out["homes"] = {m: base / m for m in ("git", "api")}
    return out


def test_git_and_api_history_land_the_same_rows(crawled):
    for phase in ("before", "after"):
        git_side, api_side = crawled[phase, "git"], crawled[phase, "api"]
        assert git_side["digests"] == api_side["digests"], phase
        assert all(n > 0 for n, _ in git_side["digests"].values()), "every history table has rows"
    full = crawled["before", "git"]
    row = full["row"]
    assert row["history"] == "git" and crawled["before", "api"]["row"]["history"] == "api"
    # no per-repo API or resolver request: the listing pages and the spaces listing only (the lookups of declared
    # parents outside the crawled models are counted apart, in alias_requests)
    assert row["resolver_requests"] == 0 and row["api_requests"] <= 3
    assert full["stats"]["requests"]["api"] == row["api_requests"] + row["alias_requests"]
    assert set(full["stats"]["endpoints"]) == {"git:info/refs", "git:git-upload-pack"}
    assert row["git_requests"] == 2 * row["repos_fetched"] == 2 * LIMIT and row["git_bytes"] > 0
    api = crawled["before", "api"]
    assert api["row"]["git_requests"] == 0 and api["stats"]["endpoints"]["tree"] >= LIMIT


def test_recrawl_after_evolve_reads_only_the_new_commits(crawled, evolved):
    changes = pq.read_table(evolved[0] / "truth" / "changes.parquet").to_pylist()
    home = crawled["homes"]["git"]
    after = crawled["after", "git"]["row"]["crawl_id"]
    listed = {r[0] for r in query(home, "SELECT model_id FROM model_history WHERE crawl_id = ?", [after])}
    grown = {c["model_id"] for c in changes if c["change"] in ("commit", "license") and c["model_id"] in listed}
    # new ids in the listed range (renamed repos, and models a removal moved into it) are read in full
    added = {
        r[0] for r in query(home, "SELECT model_id FROM model_events WHERE crawl_id = ? AND event = 'added'", [after])
    }
    assert grown and added & {c["new_id"] for c in changes if c["change"] == "rename"}
    for mode in ("git", "api"):
        row, stats = crawled["after", mode]["row"], crawled["after", mode]["stats"]
        assert row["repos_incremental"] == len(grown) and row["repos_fetched"] == len(grown) + len(added), mode
        if mode == "git":  # a shallow clone (3 requests) per grown repo, a full one (2) per new id
            assert row["git_requests"] == 3 * len(grown) + 2 * len(added) and row["resolver_requests"] == 0
        else:  # one tree listing per new commit, none for the commits already known
            full = query(home, "SELECT count(*) FROM commits WHERE model_id IN (SELECT unnest(?))", [sorted(added)])[0][
                0
            ]
            assert stats["endpoints"]["tree"] == len(grown) + full
    for c in changes:
        if c["model_id"] in grown:
            got = query(
                home,
                "SELECT position, title FROM commits WHERE model_id = ? AND commit_id = ?",
                [c["model_id"], c["commit_id"]],
            )
            total = query(home, "SELECT count(*), max(position) FROM commits WHERE model_id = ?", [c["model_id"]])[0]
            assert got == [(total[0], c["title"])] and total[0] == total[1], "appended after the known commits"


def test_increments_equal_a_fresh_crawl_of_the_evolved_hub(crawled, evolved, tmp_path):
    with ReplayHub(SnapshotStore(evolved[0] / "hub.sqlite")) as hub:
        crawl_into(tmp_path, hub.url, history="api", limit=LIMIT)
    listed = [r[0] for r in query(tmp_path, "SELECT model_id FROM models")]  # a scoped crawl removes nothing
    assert digests(tmp_path) == digests(crawled["homes"]["git"], listed) == digests(crawled["homes"]["api"], listed)
    changes = pq.read_table(evolved[0] / "truth" / "changes.parquet").to_pylist()
    relicensed = [c for c in changes if c["change"] == "license"]
    lic = dict(query(tmp_path, "SELECT model_id, license FROM models"))
    assert relicensed and all(lic[c["model_id"]] == c["new_license"] for c in relicensed if c["model_id"] in lic)


def test_force_push_is_detected_and_the_history_read_again(synth_dir, replay, tmp_path):
    src = SnapshotStore(synth_dir / "hub.sqlite")
    mid = next(m for m in list(src.model_ids())[:8] if len(src.repo(m).history) >= 3)
    hub = replay(src)
    for mode in ("git", "api"):
        crawl_into(tmp_path / mode, hub.url, history=mode, limit=8)
    old_head = src.repo(mid).head
    rewritten = SnapshotStore(edited_copy(synth_dir / "hub.sqlite", tmp_path / "v2" / "hub.sqlite", rewrite=(mid,)))
    hub2 = replay(rewritten)
    for mode in ("git", "api"):
        row = crawl_into(tmp_path / mode, hub2.url, history=mode, limit=8)
        assert row["repos_fetched"] == 1 and row["repos_incremental"] == 0, mode
        got = [
            r[0]
            for r in query(tmp_path / mode, "SELECT commit_id FROM commits WHERE model_id = ? ORDER BY position", [mid])
        ]
        assert got == [c["id"] for c in rewritten.repo(mid).history] and old_head not in got, mode
    assert digests(tmp_path / "git") == digests(tmp_path / "api")


def test_git_faults_and_rate_limits_are_retried(synth_store, replay, tmp_path):
    faults = FaultInjector({"5xx": 0.25, "reset": 0.05}, seed=3, paths=r"(info/refs|upload-pack)$")
    hub = replay(synth_store, faults=faults, rate_limits={"git": (40, 2)})
    row = crawl_into(tmp_path, hub.url, history="git", limit=40, client=fast_client(hub.url, max_retries=8))
    injected = hub.stats()["faults"]
    assert injected["5xx"] + injected["reset"] > 0 and row["retries"] > 0
    data_errors = query(tmp_path, "SELECT count(*) FROM crawl_errors WHERE stage NOT IN ('git', 'files')")[0][0]
    assert row["errors"] == data_errors, "no repo was lost to a git fault"
    assert query(tmp_path, "SELECT count(DISTINCT model_id) FROM commits")[0][0] == 40
