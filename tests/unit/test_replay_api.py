"""The replay hub honours what the unmodified huggingface_hub client sends and expects (HF-API.md)."""

from __future__ import annotations

import json
import math

import httpx2
import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from safetensors import safe_open

from pipelines.replay.limits import FaultInjector
from pipelines.replay.store import SnapshotStore, open_snapshots
from pipelines.replay.store_writer import StoreWriter
from tests.helpers import real_records
from tests.hubedit import renamed_family_snapshot


def test_listing_expand_returns_only_requested_fields(real_store, replay):
    hub = replay(real_store)
    api = HfApi(endpoint=hub.url)
    models = list(api.list_models(expand=["sha", "cardData", "author"]))
    assert len(models) == len(real_records())
    raw = httpx2.get(f"{hub.url}/api/models", params=[("expand", "sha"), ("limit", "2")]).json()
    assert all(set(item) == {"_id", "id", "sha"} for item in raw)
    by_id = {m.id: m for m in models}
    assert by_id["meta-llama/Llama-2-7b"].sha == "69656aac4cb47911a639f5890ff35b41ceb82e98"
    assert by_id["meta-llama/Llama-2-7b"].card_data["license"] == "llama2"


def test_cursor_pagination_with_absolute_links(real_store, replay):
    hub = replay(real_store)
    url = f"{hub.url}/api/models?limit=200&expand=sha"
    seen, pages = [], 0
    while url:
        r = httpx2.get(url)
        assert r.status_code == 200
        seen += [m["id"] for m in r.json()]
        pages += 1
        url = r.links.get("next", {}).get("url")
        if url:
            assert url.startswith("http://127.0.0.1:") and "cursor=" in url and "expand=sha" in url
    assert pages == math.ceil(len(real_records()) / 200) and len(seen) == len(set(seen)) == len(real_records())


def test_limit_filter_search_author_sort(real_store, replay):
    api = HfApi(endpoint=replay(real_store).url)
    assert len(list(api.list_models(limit=7))) == 7
    assert {m.id.split("/")[0] for m in api.list_models(author="meta-llama")} == {"meta-llama"}
    hits = list(
        api.list_models(
            search="llama", filter=["text-generation"], sort="downloads", expand=["downloads", "tags", "pipeline_tag"]
        )
    )
    assert hits and all("llama" in m.id.lower() and "text-generation" in m.tags for m in hits)
    downloads = [m.downloads for m in hits]
    assert downloads == sorted(downloads, reverse=True)


def test_listing_rejects_model_info_only_expand(real_store, replay):
    api = HfApi(endpoint=replay(real_store).url)
    with pytest.raises(BadRequestError):
        list(api.list_models(expand=["baseModels"]))


def test_model_info_revisions_and_errors(synth_store, replay):
    hub = replay(synth_store)
    api = HfApi(endpoint=hub.url)
    repo_id = next(r["model_id"] for r in _repos_with_commits(synth_store, minimum=4))
    repo = synth_store.repo(repo_id)
    old = repo.history[1]["id"]
    info = api.model_info(repo_id)
    assert info.sha == repo.head
    at_old = api.model_info(repo_id, revision=old, files_metadata=True)
    assert at_old.sha == old and at_old.siblings is not None
    assert {s.rfilename for s in at_old.siblings} <= {s.rfilename for s in info.siblings} | set(repo.tree(1))
    assert api.model_info(repo_id, revision="refs/heads/main").sha == repo.head  # sent as refs%2Fheads%2Fmain
    with pytest.raises(RevisionNotFoundError):
        api.model_info(repo_id, revision="no-such-branch")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/nothing")


def test_commits_are_paginated_with_total_count(tmp_path, replay):
    writer = StoreWriter(tmp_path / "hub.sqlite")
    history = [
        {
            "id": f"{i:040x}",
            "title": f"commit {i}",
            "message": "",
            "authors": ["alice"],
            "date": f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}.000Z",
            "changes": {"README.md": [f"{i:040x}", 10, None]},
        }
        for i in range(1, 121)
    ]
    writer.add_model(
        {"_id": "a" * 24, "id": "alice/long-history", "sha": history[-1]["id"], "siblings": []}, history=history
    )
    hub = replay(SnapshotStore(writer.close()))
    r = httpx2.get(f"{hub.url}/api/models/alice/long-history/commits/main")
    assert r.headers["X-Total-Count"] == "120" and len(r.json()) == 50
    assert r.links["next"]["url"].endswith("p=1&limit=50")
    commits = HfApi(endpoint=hub.url).list_repo_commits("alice/long-history", formatted=True)
    assert [c.commit_id for c in commits] == [h["id"] for h in reversed(history)]
    assert commits[-1].formatted_title == "commit 1"


def test_refs_tree_and_downloads(synth_store, replay, tmp_path):
    hub = replay(synth_store)
    api = HfApi(endpoint=hub.url)
    repo_id = next(r["model_id"] for r in _repos_with(synth_store, "model.safetensors"))
    refs = api.list_repo_refs(repo_id)
    assert refs.branches[0].name == "main" and refs.converts is not None and refs.tags is not None
    files = {f.path: f for f in api.list_repo_tree(repo_id, recursive=True)}
    assert "model.safetensors" in files and files["model.safetensors"].lfs is not None
    with pytest.raises(RemoteEntryNotFoundError):
        list(api.list_repo_tree(repo_id, path_in_repo="no/such/dir"))
    # regular file: 307 to the resolve-cache; LFS file: 302 to another origin (localhost vs 127.0.0.1)
    readme = hf_hub_download(repo_id, "README.md", cache_dir=tmp_path, endpoint=hub.url)
    assert open(readme, encoding="utf-8").read().startswith("---")
    weights = hf_hub_download(repo_id, "model.safetensors", cache_dir=tmp_path, endpoint=hub.url)
    with safe_open(weights, "np") as f:
        assert "lm_head.weight" in f.keys()
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download(repo_id, "missing.bin", cache_dir=tmp_path, endpoint=hub.url)


def test_range_requests_resume(synth_store, replay):
    hub = replay(synth_store)
    repo_id = next(r["model_id"] for r in _repos_with(synth_store, "model.safetensors"))
    head = httpx2.head(f"{hub.url}/{repo_id}/resolve/main/model.safetensors")
    assert head.status_code == 302 and head.headers["X-Repo-Commit"] and head.headers["X-Linked-Etag"]
    assert "X-Xet-Hash" not in head.headers
    cdn = head.headers["Location"]
    full = httpx2.get(cdn).content
    part = httpx2.get(cdn, headers={"Range": "bytes=100-"})
    assert part.status_code == 206 and part.content == full[100:]
    assert part.headers["Content-Range"] == f"bytes 100-{len(full) - 1}/{len(full)}"


def test_regular_file_ranges_and_missing_entries(synth_store, replay):
    hub = replay(synth_store)
    repo_id = next(r["model_id"] for r in _repos_with(synth_store, "model.safetensors"))
    head = httpx2.head(f"{hub.url}/{repo_id}/resolve/main/README.md")
    assert head.status_code == 307 and head.headers["Location"].startswith(f"/api/resolve-cache/models/{repo_id}/")
    cache = f"{hub.url}{head.headers['Location']}"
    full = httpx2.get(cache)
    commit = synth_store.repo(repo_id).head
    assert full.headers["ETag"] == head.headers["X-Linked-Etag"] and full.headers["X-Repo-Commit"] == commit
    assert not [h for h in full.headers if h.lower().startswith("x-xet")]
    tail = httpx2.get(cache, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == full.content[-5:]
    past = httpx2.get(cache, headers={"Range": f"bytes={len(full.content)}-"})
    assert past.status_code == 416 and past.headers["Content-Range"] == f"bytes */{len(full.content)}"
    missing = httpx2.head(f"{hub.url}/{repo_id}/resolve/main/no-such-file.bin")
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    assert missing.headers["X-Repo-Commit"] == commit  # the client caches the non-existence under that commit


def test_unknown_paths_pushes_and_own_statistics(synth_store, replay):
    hub = replay(synth_store)
    repo_id = next(iter(synth_store.model_ids()))
    r = httpx2.get(f"{hub.url}/api/nothing-here?x=1")
    assert r.status_code == 404 and r.json()["error"].endswith("/api/nothing-here?x=1")
    assert httpx2.post(f"{hub.url}/{repo_id}.git/git-receive-pack", content=b"0000").status_code == 403
    assert httpx2.get(f"{hub.url}/{repo_id}/info/refs?service=git-upload-pack").status_code == 200
    stats = httpx2.get(f"{hub.url}/_replay/stats").json()
    assert stats["requests"] == {"api": 1, "git": 2}
    assert stats["endpoints"] == {"git:git-receive-pack": 1, "git:info/refs": 1}
    assert stats == hub.stats()  # reading the statistics is not itself counted


def test_spaces_listing_filters_by_model(synth_store, replay):
    api = HfApi(endpoint=replay(synth_store).url)
    spaces = list(api.list_spaces(expand=["models", "sdk"]))
    assert spaces and all(s.models for s in spaces)
    target = spaces[0].models[0]
    using = list(api.list_spaces(models=target, expand=["models"]))
    assert using and all(target in s.models for s in using)


def test_rate_limit_headers_and_429(real_store, replay):
    hub = replay(real_store, rate_limits={"api": (3, 2)})
    codes = []
    for _ in range(4):
        r = httpx2.get(f"{hub.url}/api/models?limit=1")
        codes.append(r.status_code)
        assert r.headers["RateLimit-Policy"] == '"fixed window";"api";q=3;w=2'
    assert codes == [200, 200, 200, 429]
    assert r.headers["RateLimit"].startswith('"api";r=0;t=') and int(r.headers["Retry-After"]) >= 1
    # the real client waits for the window and succeeds
    assert len(list(HfApi(endpoint=hub.url).list_models(limit=2))) == 2


@pytest.mark.parametrize("fault", ["5xx", "429", "truncate", "reset"])
def test_client_recovers_from_injected_faults_on_listing(real_store, replay, fault):
    hub = replay(real_store, faults=FaultInjector({fault: 0.3}, seed=1, retry_after_s=0))
    api = HfApi(endpoint=hub.url)
    for _ in range(6):
        ids = [m.id for m in api.list_models(expand=["sha"])]
        assert len(ids) == len(set(ids)) == len(real_records())
    assert hub.stats()["faults"][fault] > 0


def test_bad_json_fault_breaks_the_body_not_the_framing(real_store, replay):
    hub = replay(real_store, faults=FaultInjector({"badjson": 1.0}, seed=1))
    r = httpx2.get(f"{hub.url}/api/models?limit=5")
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()


def _repos_with_commits(store, minimum: int):
    for mid in store.model_ids():
        repo = store.repo(mid)
        if repo.history and len(repo.history) >= minimum:
            yield {"model_id": mid}


def _repos_with(store, path: str):
    for mid in store.model_ids():
        repo = store.repo(mid)
        head = repo.tree(len(repo.history) - 1) if repo.history else {}
        if path in head and store.blob(head[path][2] or "") is not None:
            yield {"model_id": mid}


def test_old_and_case_variant_ids_redirect_like_the_hub(renamed_store, replay, tmp_path):
    hub = replay(renamed_store)
    r = httpx2.get(f"{hub.url}/api/models/base-v1")
    assert r.status_code == 307 and r.headers["Location"] == "/api/models/acme/base-v1"  # relative, as the Hub
    r = httpx2.get(f"{hub.url}/api/models/ACME/Base-V1/revision/main?expand=sha")
    assert r.status_code == 307 and r.headers["Location"] == "/api/models/acme/base-v1/revision/main?expand=sha"
    head = httpx2.head(f"{hub.url}/Acme/base-V1/resolve/main/README.md")
    assert head.status_code == 307 and head.headers["Location"] == "/acme/base-v1/resolve/main/README.md"
    api = HfApi(endpoint=hub.url)
    info = api.model_info("base-v1", expand=["sha"])  # the real client follows the relative redirect
    assert info.id == "acme/base-v1" and info._id == renamed_store.model("acme/base-v1")["_id"]
    assert api.model_info("ACME/Base-V1").id == "acme/base-v1"
    assert api.model_info("acme/base-v1").id == "acme/base-v1"  # the current id answers directly
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("base-v2")
    assert renamed_store.renames() == [("base-v1", "acme/base-v1")]


def test_malformed_renames_file_is_one_clear_error(tmp_path):
    snap = renamed_family_snapshot(tmp_path / "snap")
    (snap / "renames.jsonl").write_text('{"old": "a/b", "new": "c/d"}\n{"old": "x"}\n')
    with pytest.raises(ValueError, match=r"renames.jsonl:2: not a"):
        open_snapshots([snap], tmp_path / "store")
