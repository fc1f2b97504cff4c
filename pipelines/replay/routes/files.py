"""Downloads, with the Hub's redirect hops and no Xet headers.

`/{id}/resolve/{rev}/{path}` answers a regular file with 307 to the resolve-cache on the same origin, and an LFS
file with 302 to another origin (the "CDN": the other loopback name on the same port), as the client expects.
The final answer carries `ETag` and `X-Repo-Commit` and honours `Range` (206 / 416), so interrupted downloads
resume.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from pipelines.replay import api
from pipelines.replay.api import ApiError
from pipelines.replay.exchange import TEXT, Exchange, Response
from pipelines.replay.gitobj import Entry
from pipelines.replay.repo import Repo
from pipelines.replay.routes.repos import get_repo, revision, split_repo


def resolve_path(segments: list[str]) -> list[str] | None:
    """[repo id, revision, file path] of `/{id}/resolve/{rev}/{path}` (an id of one or two segments)."""
    for pos in (1, 2):
        if len(segments) > pos + 1 and segments[pos] == "resolve":
            return ["/".join(segments[:pos]), segments[pos + 1], "/".join(segments[pos + 2 :])]
    return None


def _entry(repo: Repo, idx: int, path: str) -> Entry:
    entry = repo.tree(idx).get(path)
    if entry is None:
        raise api.entry_not_found("Entry not found")
    return entry


def resolve(ex: Exchange, parts: list[str], kind: str = "models") -> Response:
    """HEAD/GET `/{id}/resolve/{rev}/{path}` of a repo of `kind` (the plural its API paths use)."""
    repo_id, rev, path = parts
    repo = get_repo(ex, repo_id, start=0)
    idx = revision(repo, rev)
    commit = repo.commit_id(idx)
    ex.out_headers["X-Repo-Commit"] = commit  # on a missing file's 404 too
    oid, size, lfs = _entry(repo, idx, path)
    if lfs:
        headers = {
            "Location": f"{ex.other_origin()}/_cdn/{lfs}",
            "X-Linked-Etag": f'"{lfs}"',
            "X-Linked-Size": str(size),
        }
        return Response(302, b"", TEXT, headers)
    location = f"/api/resolve-cache/{kind}/{repo.id}/{commit}/{quote(path)}?etag={oid}"
    return Response(307, b"", TEXT, {"Location": location, "X-Linked-Etag": f'"{oid}"'})


def resolve_cache(ex: Exchange, rest: list[str]) -> Response:
    """`/api/resolve-cache/{kind}/{id}/{rev}/{path}`: the bytes of a regular file."""
    repo_id, tail = split_repo(ex, rest)
    if not tail:
        raise api.entry_not_found("Entry not found")
    repo = get_repo(ex, repo_id)
    idx = revision(repo, tail[0])
    path = "/".join(tail[1:])
    entry = _entry(repo, idx, path)
    data = ex.store.content(path, entry, repo.origin(idx, path))
    if data is None:
        raise api.entry_not_found(f"Entry not found: the content of {path} is not part of this snapshot")
    ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    headers = {
        "ETag": f'"{entry[0]}"',
        "X-Repo-Commit": repo.commit_id(idx),
        "Content-Disposition": f'inline; filename="{Path(path).name}"',
    }
    return ranged(ex, data, ctype, headers)


def cdn(ex: Exchange, rest: list[str]) -> Response:
    """`/_cdn/{sha256}`: an LFS object, served without auth from the other origin."""
    data = ex.store.blob(rest[0])
    if data is None:
        raise ApiError(404, "object not found", json_body=False)
    return ranged(ex, data, "application/octet-stream", {"ETag": f'"{rest[0]}"'})


def ranged(ex: Exchange, data: bytes, ctype: str, headers: dict[str, str]) -> Response:
    """The bytes, or the part a `Range: bytes=...` asks for (416 past the end)."""
    headers = {**headers, "Accept-Ranges": "bytes"}
    rng = ex.headers.get("Range")
    if not (rng and rng.startswith("bytes=")):
        return Response(200, data, ctype, headers)
    first, _, last = rng[6:].split(",")[0].partition("-")
    try:
        start = int(first) if first else max(0, len(data) - int(last))
        end = int(last) if first and last else len(data) - 1
    except ValueError:
        start, end = 0, len(data) - 1
    if start >= len(data):
        return Response(416, b"", ctype, {"Content-Range": f"bytes */{len(data)}"})
    end = min(end, len(data) - 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
    return Response(206, data[start : end + 1], ctype, headers)
