"""Git's smart HTTP (`/{id}.git/info/refs`, `/git-upload-pack`): clones and fetches, never pushes."""

from __future__ import annotations

from pipelines.replay.api import ApiError
from pipelines.replay.exchange import Exchange, Response
from pipelines.replay.gitserve import GitError, split_git_path


def git_path(segments: list[str]) -> list[str] | None:
    """[repo id, service] of a smart-HTTP request path."""
    found = split_git_path(segments)
    return list(found) if found else None


def git(ex: Exchange, parts: list[str]) -> Response:
    repo_id, service = parts
    if service == "git-receive-pack" or "receive-pack" in ex.raw_query:
        raise ApiError(403, "pushing is not supported by the replay hub", json_body=False)
    try:
        name = ex.git.acquire(repo_id)
    except GitError as e:
        raise ApiError(500, str(e), json_body=False) from None
    if name is None:
        raise ApiError(404, f"Repository not found: {repo_id}", "RepoNotFound", json_body=False)
    try:
        status, headers, body = ex.git.serve(name, service, ex.method, ex.raw_query, ex.headers, ex.body)
    finally:
        ex.git.release(name)
    ctype = headers.pop("Content-Type", "application/octet-stream")
    return Response(status, body, ctype, headers)
