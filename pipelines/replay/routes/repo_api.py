"""`GET /api/models/{id}[/...]`: a model's info (at a revision), its commits, refs and file tree.

Commits, refs and tree are the same for every kind of repo: a kind's routes call them with its API path.
Commits page by `p` and `limit` (50 a page, `X-Total-Count` the total); the tree pages by an opaque cursor, with
smaller pages when expanded, as the Hub does.
"""

from __future__ import annotations

from urllib.parse import quote

from pipelines.replay import api
from pipelines.replay.api import ApiError
from pipelines.replay.exchange import Exchange, Response, json_response
from pipelines.replay.repo import Repo
from pipelines.replay.routes.repos import get_repo, revision, split_repo
from pipelines.replay.store import decode_cursor, encode_cursor

COMMITS_PAGE = 50
TREE_PAGE = 1000
TREE_PAGE_EXPANDED = 50


def model_routes(ex: Exchange, rest: list[str]) -> Response:
    """Everything under /api/models/{id}: info, revision/{rev}, commits/{rev}, refs, tree/{rev}[/{path}]."""
    repo_id, tail = split_repo(ex, rest)
    repo = get_repo(ex, repo_id)
    base = f"/api/models/{repo.id}"
    if not tail:
        return model_info(ex, repo, "main")
    kind = tail[0]
    if kind == "revision" and len(tail) == 2:
        return model_info(ex, repo, tail[1])
    if kind == "commits" and len(tail) == 2:
        return commits(ex, repo, tail[1], base)
    if kind == "refs" and len(tail) == 1:
        return json_response(api.refs_body(repo, ex.query.flag("include_prs")))
    if kind == "tree" and len(tail) >= 2:
        return tree(ex, repo, tail[1], "/".join(tail[2:]), base)
    raise api.page_not_found(ex.target)


def model_info(ex: Exchange, repo: Repo, rev: str) -> Response:
    expand = ex.query.all("expand")
    api.check_expand(expand, api.MODEL_EXPAND)
    idx = revision(repo, rev)
    children = ex.store.children_count(repo.id) if "childrenModelCount" in expand else 0
    return json_response(api.model_info(repo, idx, expand, ex.query.flag("blobs"), children))


def commits(ex: Exchange, repo: Repo, rev: str, base: str) -> Response:
    """The commits reachable from `rev`, newest first, a page at a time (`base`: the repo's API path)."""
    idx = revision(repo, rev)
    formatted = "formatted" in ex.query.all("expand")
    page = ex.query.int("p", 0, lo=0, hi=10**9)
    limit = ex.query.int("limit", COMMITS_PAGE)
    items = api.commit_items(repo, idx, formatted)
    chunk = items[page * limit : (page + 1) * limit]
    headers = {"X-Total-Count": str(len(items))}
    if (page + 1) * limit < len(items):
        pairs = [("p", str(page + 1)), ("limit", str(limit))] + ([("expand[]", "formatted")] if formatted else [])
        headers["Link"] = ex.next_link(f"{base}/commits/{quote(rev, safe='')}", pairs)
    return json_response(chunk, headers=headers)


def tree(ex: Exchange, repo: Repo, rev: str, path: str, base: str) -> Response:
    """The entries under `path` at `rev`, a page at a time (`base`: the repo's API path)."""
    idx = revision(repo, rev)
    expand = ex.query.flag("expand")
    entries = api.tree_entries(repo, idx, path, ex.query.flag("recursive"), expand)
    limit = ex.query.int("limit", TREE_PAGE_EXPANDED if expand else TREE_PAGE)
    cursor = ex.query.get("cursor")
    try:
        start = decode_cursor(cursor)["offset"] if cursor else 0
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, f"invalid cursor {cursor!r}") from None
    chunk = entries[start : start + limit]
    headers = {}
    if start + limit < len(entries):
        pairs = ex.query.without("cursor", "limit") + [
            ("limit", str(limit)),
            ("cursor", encode_cursor({"offset": start + limit})),
        ]
        sub = f"/{quote(path, safe='')}" if path else ""
        headers["Link"] = ex.next_link(f"{base}/tree/{quote(rev, safe='')}{sub}", pairs)
    return json_response(chunk, headers=headers)
