"""What the replay hub answers: the shapes of the HF REST API responses, built from a store.

Kept apart from the HTTP plumbing (server.py) and the routes (routes/) so the shapes can be read (and tested)
on their own. The rules come from ../shared/HF-API.md as checked against huggingface_hub 2.4.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from pipelines.replay.gitobj import LFS_POINTER_SIZE, Commit, api_message, epoch, hub_date, tree_oids
from pipelines.replay.repo import Record, Repo

Item = dict[str, Any]  # one JSON object of an answer

# expand values the client knows (ExpandModelProperty_T)
MODEL_EXPAND = {
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
}
# accepted by GET /api/models/{id} only, not by the listing
INFO_ONLY_EXPAND = {"baseModels", "childrenModelCount", "usedStorage"}
LIST_DEFAULT_KEYS = (
    "_id",
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)
LIST_FULL_KEYS = LIST_DEFAULT_KEYS + ("author", "sha", "lastModified", "gated", "disabled", "siblings")
INFO_DEFAULT_KEYS = (
    "_id",
    "id",
    "private",
    "pipeline_tag",
    "library_name",
    "tags",
    "downloads",
    "likes",
    "modelId",
    "author",
    "sha",
    "lastModified",
    "gated",
    "inference",
    "disabled",
    "mask_token",
    "widgetData",
    "model-index",
    "config",
    "cardData",
    "transformersInfo",
    "siblings",
    "spaces",
    "createdAt",
    "safetensors",
    "usedStorage",
)
SPACE_EXPAND = {
    "author",
    "cardData",
    "createdAt",
    "datasets",
    "disabled",
    "lastModified",
    "likes",
    "models",
    "private",
    "region",
    "resourceGroup",
    "runtime",
    "sdk",
    "sha",
    "siblings",
    "subdomain",
    "tags",
    "trendingScore",
    "usedStorage",
}
SPACE_DEFAULT_KEYS = ("_id", "id", "author", "likes", "private", "sdk", "tags", "createdAt", "trendingScore")
RELATIONS = ("adapter", "merge", "quantized", "finetune")


class ApiError(Exception):
    """An error the Hub would answer, with the headers huggingface_hub maps to its exceptions."""

    def __init__(self, status: int, message: str, code: str | None = None, json_body: bool = True):
        super().__init__(message)
        self.status, self.message, self.code, self.json_body = status, message, code, json_body

    def headers(self) -> dict[str, str]:
        h = {"X-Error-Message": self.message}
        if self.code:
            h["X-Error-Code"] = self.code
        if self.code == "RepoNotFound":
            h["WWW-Authenticate"] = 'Bearer realm="Authentication required", charset="UTF-8"'
        return h


def repo_not_found(repo_id: str) -> ApiError:
    # The Hub answers 401 (not 404) so private repos are not revealed; the code header lets the
    # client raise RepositoryNotFoundError even on an http:// endpoint.
    return ApiError(401, f"Repository not found: {repo_id}", "RepoNotFound")


def page_not_found(target: str) -> ApiError:
    return ApiError(404, f"Sorry, we can't find the page you are looking for: {target}")


def revision_not_found(rev: str) -> ApiError:
    return ApiError(404, f"Invalid rev id: {rev}", "RevisionNotFound")


def entry_not_found(message: str) -> ApiError:
    return ApiError(404, message, "EntryNotFound", json_body=False)


def check_expand(values: list[str], allowed: set[str], forbidden: frozenset[str] | set[str] = frozenset()) -> None:
    for v in values:
        if v in forbidden:
            raise ApiError(400, f"expand={v} is only accepted by the single-model endpoint, not by the listing")
        if v not in allowed:
            raise ApiError(400, f'"expand" must be one of {sorted(allowed)}, got {v!r}')


def _pick(record: Record, keys: Iterable[str]) -> Item:
    return {k: record[k] for k in keys if k in record and record[k] is not None}


def model_list_item(record: Record, expand: list[str], full: bool, card_data: bool, config: bool) -> Item:
    if expand:
        item = _pick(record, ("_id", "id", *expand))
    else:
        item = _pick(record, LIST_FULL_KEYS if full else LIST_DEFAULT_KEYS)
        if card_data and "cardData" in record:
            item["cardData"] = record["cardData"]
        if config and "config" in record:
            item["config"] = record["config"]
    if "siblings" in item:
        item["siblings"] = [{"rfilename": s["rfilename"]} for s in item["siblings"]]
    return item


def base_models(record: Record) -> Item | None:
    """The `baseModels` expand value: {"relation", "models": [{"id"}]} from the card and derived tags."""
    card = record.get("cardData") or {}
    base = card.get("base_model") if isinstance(card, dict) else None
    parents = [base] if isinstance(base, str) else [b for b in base or [] if isinstance(b, str)]
    relation = card.get("base_model_relation") if isinstance(card, dict) else None
    for tag in record.get("tags") or []:
        parts = tag.split(":")
        if len(parts) >= 3 and parts[0] == "base_model" and parts[1] in RELATIONS:
            relation = relation or parts[1]
            if not parents:
                parents.append(":".join(parts[2:]))
    if not parents:
        return None
    return {
        "relation": relation or ("merge" if len(parents) > 1 else "finetune"),
        "models": [{"id": p} for p in parents],
    }


def siblings_at(repo: Repo, idx: int, blobs: bool) -> list[Item]:
    out = []
    for path, (oid, size, lfs) in sorted(repo.tree(idx).items()):
        sib: Item = {"rfilename": path}
        if blobs:
            sib.update(size=size, blobId=oid)
            if lfs:
                sib["lfs"] = {"sha256": lfs, "size": size, "pointerSize": LFS_POINTER_SIZE}
        out.append(sib)
    return out


def model_info(repo: Repo, idx: int, expand: list[str], blobs: bool, children_count: int) -> Item:
    record = repo.record
    info = _pick(record, ("_id", "id", *expand)) if expand else _pick(record, INFO_DEFAULT_KEYS)
    if not expand or "sha" in expand:
        info["sha"] = repo.listed_sha if repo.synthesized else repo.commit_id(idx)
    if not repo.synthesized and (not expand or "lastModified" in expand):
        info["lastModified"] = repo.history[idx]["date"]
    if not repo.synthesized and (not expand or "siblings" in expand):
        info["siblings"] = siblings_at(repo, idx, blobs)
    elif blobs and "siblings" in info:
        info["siblings"] = siblings_at(repo, idx, blobs)
    if "baseModels" in expand:
        info["baseModels"] = base_models(record)
    if "childrenModelCount" in expand:
        info["childrenModelCount"] = children_count
    return info


def commit_items(repo: Repo, idx: int, formatted: bool) -> list[Item]:
    """Commits reachable from `idx`, newest first, as the Hub derives them from the git commits.

    The message is the body after the title (co-authors as `Co-authored-by` trailers); dates have git's
    whole seconds.
    """
    items = []
    for c in reversed(repo.history[: idx + 1]):
        message = api_message(c)
        item: Item = {
            "id": c["id"],
            "title": c["title"],
            "message": message,
            "authors": [{"user": a, "avatar": f"/avatars/{a}.svg"} for a in c.get("authors", [])],
            "date": hub_date(epoch(c["date"])),
        }
        if formatted:
            item["formatted"] = {"title": html.escape(c["title"]), "message": html.escape(message)}
        items.append(item)
    return items


def refs_body(repo: Repo, include_prs: bool) -> Item:
    head = repo.head
    branches = repo.refs.get("branches") or [{"name": "main", "commit": head}]
    body: Item = {
        "branches": [
            {"name": b["name"], "ref": f"refs/heads/{b['name']}", "targetCommit": b["commit"]} for b in branches
        ],
        "converts": [
            {"name": c["name"], "ref": f"refs/convert/{c['name']}", "targetCommit": c["commit"]}
            for c in repo.refs.get("converts", [])
        ],
        "tags": [
            {"name": t["name"], "ref": f"refs/tags/{t['name']}", "targetCommit": t["commit"]}
            for t in repo.refs.get("tags", [])
        ],
    }
    if include_prs:
        body["pullRequests"] = [
            {"name": p["name"], "ref": f"refs/pr/{p['name']}", "targetCommit": p["commit"]}
            for p in repo.refs.get("pullRequests", [])
        ]
    return body


def _parent_dirs(path: str) -> list[str]:
    """`a/b/c.txt` -> [`a`, `a/b`]."""
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _last_commits(history: list[Commit]) -> dict[str, Commit]:
    """The last commit that touched each path and each directory above it."""
    last: dict[str, Commit] = {}
    for c in history:
        for p in c.get("changes", {}):
            last[p] = c
            for d in _parent_dirs(p):
                last[d] = c
    return last


def tree_entries(repo: Repo, idx: int, path: str, recursive: bool, expand: bool) -> list[Item]:
    """Entries of the tree at `idx` under `path` (files and directories), sorted by path."""
    files = repo.tree(idx)
    prefix = path.strip("/")
    dirs = {d for p in files for d in _parent_dirs(p)}
    if prefix and prefix not in dirs:
        raise entry_not_found(f'{prefix} does not exist on "{repo.commit_id(idx)}"')
    dir_oids = tree_oids(files)

    def wanted(p: str) -> bool:
        if prefix and not p.startswith(prefix + "/"):
            return False
        rest = p[len(prefix) + 1 :] if prefix else p
        return recursive or "/" not in rest

    last_commit = _last_commits(repo.history[: idx + 1]) if expand else {}
    out: list[Item] = []
    for d in sorted(k for k in dirs if wanted(k)):
        out.append({"type": "directory", "oid": dir_oids[d], "size": 0, "path": d})
    for p in sorted(k for k in files if wanted(k)):
        oid, size, lfs = files[p]
        entry: Item = {"type": "file", "oid": oid, "size": size, "path": p}
        if lfs:
            entry["lfs"] = {"oid": lfs, "size": size, "pointerSize": LFS_POINTER_SIZE}
        out.append(entry)
    if expand:
        for e in out:
            c = last_commit.get(e["path"])
            if c:
                e["lastCommit"] = {"id": c["id"], "title": c["title"], "date": c["date"]}
    out.sort(key=lambda e: e["path"])
    return out


def space_list_item(record: Record, expand: list[str], full: bool) -> Item:
    if expand:
        return _pick(record, ("_id", "id", *expand))
    item = _pick(record, SPACE_DEFAULT_KEYS)
    if full:
        item.update(_pick(record, ("sha", "lastModified", "siblings", "cardData", "models", "datasets", "runtime")))
    return item
