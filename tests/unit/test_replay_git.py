"""The replay hub's git server against what the REST API shows (no crawl), and `hub evolve` of a plain snapshot."""

from __future__ import annotations

import json
import os
import subprocess

import httpx2
import pyarrow.parquet as pq
import pytest
from huggingface_hub import HfApi

from pipelines.crawl.gitremote import default_history
from pipelines.replay.gitobj import SNAPSHOT_TITLE
from pipelines.replay.store import open_snapshots
from pipelines.replay.store_plain import card_name
from pipelines.replay.synth.evolve import Shares, evolve
from tests.helpers import REAL_SAMPLE

needs_git = pytest.mark.skipif(default_history() != "git", reason="needs a git >= 2.30 binary")


def head_tree(repo) -> dict:
    return repo.tree(len(repo.history) - 1)


def git(*args, cwd=None) -> str:
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/tmp"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


@needs_git
def test_git_server_serves_the_ids_the_api_shows(synth_store, replay, tmp_path):
    hub = replay(synth_store)
    api = HfApi(endpoint=hub.url)
    mid = next(m for m in synth_store.model_ids() if any("/" in p for p in head_tree(synth_store.repo(m))))
    repo = synth_store.repo(mid)
    git("clone", "-q", "--mirror", "--filter=blob:limit=1m", f"{hub.url}/{mid}.git", str(tmp_path / "c"))
    c = tmp_path / "c"
    assert git("rev-parse", "refs/heads/main", cwd=c).strip() == repo.record["sha"] == repo.head
    assert git("log", "--format=%H", cwd=c).split() == [x.commit_id for x in api.list_repo_commits(mid)]
    tagged = next(m for m in synth_store.model_ids() if synth_store.repo(m).refs.get("tags"))
    git("clone", "-q", "--mirror", "--filter=blob:none", f"{hub.url}/{tagged}", str(tmp_path / "t"))
    refs = api.list_repo_refs(tagged, include_pull_requests=True)
    shown = {r.ref: r.target_commit for r in [*refs.branches, *refs.tags, *refs.converts, *refs.pull_requests]}
    assert shown and shown == dict(line.split()[::-1] for line in git("show-ref", cwd=tmp_path / "t").splitlines())
    entries = {e.path: e for e in api.list_repo_tree(mid, recursive=True)}
    for line in git("ls-tree", "-r", "-t", "refs/heads/main", cwd=c).splitlines():
        meta, path = line.split("\t")
        _mode, kind, oid = meta.split()
        assert entries[path].blob_id == oid if kind == "blob" else entries[path].tree_id == oid, path
        lfs = getattr(entries[path], "lfs", None)
        if kind == "blob" and lfs:
            pointer = git("cat-file", "-p", oid, cwd=c)
            assert f"oid sha256:{lfs.sha256}\nsize {lfs.size}\n" in pointer
    last = api.list_repo_commits(mid)[0]
    raw = last.title + (f"\n{last.message}" if last.message else "") + "\n"
    shown = git("log", "-1", "--format=%an%n%at%n%B", cwd=c)
    assert shown == f"{last.authors[0]}\n{int(last.created_at.timestamp())}\n{raw}\n"
    assert httpx2.post(f"{hub.url}/{mid}/git-receive-pack", content=b"0000").status_code == 403


@needs_git
def test_history_less_repos_show_one_commit_and_keep_their_real_sha(real_store, replay, tmp_path):
    hub = replay(real_store)
    record = json.loads(next(iter(open(REAL_SAMPLE / "models.jsonl"))))
    mid = record["id"]
    api = HfApi(endpoint=hub.url)
    assert next(iter(api.list_models(search=mid, expand=["sha"]))).sha == record["sha"]  # unaltered
    commits = api.list_repo_commits(mid)
    assert len(commits) == 1 and commits[0].title == SNAPSHOT_TITLE
    git("clone", "-q", "--mirror", f"{hub.url}/{mid}", str(tmp_path / "c"))
    assert git("rev-parse", "refs/heads/main", cwd=tmp_path / "c").strip() == commits[0].commit_id != record["sha"]
    assert api.model_info(mid, revision=record["sha"]).sha == record["sha"]  # the real sha resolves to that commit
    card = REAL_SAMPLE / "cards" / card_name(mid)
    if card.exists():
        assert git("show", "refs/heads/main:README.md", cwd=tmp_path / "c").encode() == card.read_bytes()


def test_evolve_plain_snapshot(tmp_path):
    shares = Shares(commits=0.05, renames=0.02, removals=0.01, license_changes=0.03)
    counts = evolve(REAL_SAMPLE, tmp_path / "next", shares, seed=2)
    assert counts["commit"] > 0 and counts["rename"] > 0 and counts["removal"] > 0 and counts["license"] > 0
    changes = pq.read_table(tmp_path / "next" / "truth" / "changes.parquet").to_pylist()
    renames = [json.loads(line) for line in open(tmp_path / "next" / "renames.jsonl")]
    assert renames == [{"old": c["model_id"], "new": c["new_id"]} for c in changes if c["change"] == "rename"]
    store = open_snapshots([tmp_path / "next"], tmp_path / "store")
    for c in changes:
        if c["change"] in ("commit", "license"):
            repo = store.repo(c["model_id"])
            assert repo.record["sha"] == repo.head == c["commit_id"]  # the commit the hub shows for it
        if c["change"] == "license":
            card = (tmp_path / "next" / "cards" / card_name(c["model_id"])).read_text()
            assert f"license: {c['new_license']}" in card.split("\n---", 1)[0]
            assert store.model(c["model_id"])["cardData"]["license"] == c["new_license"] != c["old_license"]
        if c["change"] == "removal":
            assert store.model(c["model_id"]) is None
    assert store.db.execute("SELECT count(*) FROM renames").fetchone()[0] == counts["rename"]
    assert json.loads((tmp_path / "next" / "SNAPSHOT.json").read_text())["evolve"]["changed"] == counts
