"""Finding the repo a request path names: one or two segments of id, and the Hub's redirects for stale ids.

A renamed repo's old id, or an id in another letter case, is answered like the Hub does: 307 with a relative
`Location` naming the current id (the rest of the path and the query kept).
"""

from __future__ import annotations

from urllib.parse import quote

from pipelines.replay import api
from pipelines.replay.exchange import Exchange, Moved
from pipelines.replay.repo import Repo


def split_repo(ex: Exchange, rest: list[str]) -> tuple[str, list[str]]:
    """(repo id, what follows it) of the path segments after a route prefix; a stale id redirects."""
    if len(rest) >= 2 and ex.store.has_model(f"{rest[0]}/{rest[1]}"):
        return f"{rest[0]}/{rest[1]}", rest[2:]
    if rest and ex.store.has_model(rest[0]):
        return rest[0], rest[1:]
    for n in (2, 1):
        if len(rest) >= n:
            redirect_if_moved(ex, "/".join(rest[:n]), len(ex.segments) - len(rest))
    raise api.repo_not_found("/".join(rest[:2]))


def redirect_if_moved(ex: Exchange, repo_id: str, start: int) -> None:
    """Raise the Hub's 307 when `repo_id` (path segments from `start`) is an old name or another letter case."""
    target = ex.store.redirect_target(repo_id)
    if target is None:
        return
    raw = ex.raw_path.split("/")[1:]
    n = len(repo_id.split("/"))
    new = [quote(x, safe="") for x in target.split("/")]
    location = "/" + "/".join(raw[:start] + new + raw[start + n :])
    raise Moved(location + (f"?{ex.raw_query}" if ex.raw_query else ""))


def get_repo(ex: Exchange, repo_id: str, start: int | None = None) -> Repo:
    """The repo; unknown ids redirect when stale (named from path segment `start`), else answer RepoNotFound."""
    repo = ex.store.repo(repo_id)
    if repo is None:
        if start is not None:
            redirect_if_moved(ex, repo_id, start)
        raise api.repo_not_found(repo_id)
    return repo


def revision(repo: Repo, rev: str) -> int:
    idx = repo.resolve(rev)
    if idx is None:
        raise api.revision_not_found(rev)
    return idx
