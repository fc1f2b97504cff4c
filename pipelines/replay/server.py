"""The replay hub: an HTTP server answering the HF REST API subset huggingface_hub uses.

Paths are split raw and each segment unquoted afterwards, because the client sends revisions
percent-encoded with no safe characters (`refs%2Fpr%2F1`). Pagination links are absolute, dates end
in `Z`, errors carry `X-Error-Code`, and downloads follow the Hub's redirect hops (307 to the
resolve-cache for regular files, 302 to another origin for LFS files) without any Xet headers. A renamed
repo's old id, or an id in another letter case, is answered like the Hub does: 307 with a relative
`Location` naming the current id (the rest of the path and the query kept).
"""

from __future__ import annotations

import json
import logging
import mimetypes
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode

from pipelines.replay import api
from pipelines.replay.api import ApiError
from pipelines.replay.gitserve import GitError, GitRepos, split_git_path
from pipelines.replay.limits import FaultInjector, RateLimiter, bucket_of
from pipelines.replay.store import ListQuery, SnapshotStore, decode_cursor, encode_cursor, git_blob_content

log = logging.getLogger("hubmine.replay")
MAX_PAGE = 1000
COMMITS_PAGE = 50
TREE_PAGE = 1000
TREE_PAGE_EXPANDED = 50


class Query:
    """Query parameters as the client sends them (repeated keys; `expand` and `expand[]` alike)."""

    def __init__(self, raw: str):
        self.pairs = parse_qsl(raw, keep_blank_values=True)

    def get(self, key: str, default: str | None = None) -> str | None:
        for k, v in self.pairs:
            if k == key:
                return v
        return default

    def all(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k in (key, key + "[]")]

    def flag(self, key: str) -> bool:
        return (self.get(key) or "").lower() in ("1", "true", "yes")

    def int(self, key: str, default: int, lo: int = 1, hi: int = MAX_PAGE) -> int:
        raw = self.get(key)
        if raw in (None, ""):
            return default
        try:
            return max(lo, min(hi, int(raw)))
        except ValueError:
            raise ApiError(400, f"{key} must be an integer, got {raw!r}") from None

    def without(self, *keys: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.pairs if k not in keys]


def endpoint_of(segments: list[str]) -> str | None:
    """The per-repo endpoint a request path names (counted for benches and tests), or None."""
    if segments[:2] == ["api", "models"] and len(segments) > 3:
        for kind in ("commits", "refs", "tree"):
            if kind in segments[3:5]:
                return kind
    git = split_git_path(segments)
    return f"git:{git[1]}" if git else None


class ReplayHub:
    """Owns the store, limits and counters; `serve()` runs it on a loopback port."""

    def __init__(
        self,
        store: SnapshotStore,
        *,
        rate_limits: dict | None = None,
        faults: FaultInjector | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
        git_cache: int = 256,
        git_dir: Path | None = None,
    ):
        self.store = store
        self.git = GitRepos(store, git_dir, git_cache)
        self.limiter = RateLimiter(rate_limits or {})
        self.faults = faults or FaultInjector()
        self.access_log = access_log
        self.requests: Counter[str] = Counter()
        self.endpoints: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.httpd = _Server((host, port), _Handler)
        self.httpd.hub = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, key: str, endpoint: str | None = None) -> None:
        with self._lock:
            self.requests[key] += 1
            if endpoint:
                self.endpoints[endpoint] += 1

    def stats(self) -> dict:
        """Requests per rate-limit bucket and per per-repo endpoint (commits, refs, tree, git services)."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "endpoints": dict(self.endpoints),
                "faults": dict(self.faults.injected),
            }

    def start(self) -> ReplayHub:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="replay-hub", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.git.close()

    def __enter__(self) -> ReplayHub:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True
    hub: ReplayHub


class _Abort(Exception):
    """Drop the connection without an answer (fault injection)."""


class _Moved(Exception):
    """Answer with the Hub's redirect to a repo's current id."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "hubmine-replay"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args) -> None:
        if self.server.hub.access_log:
            log.info("%s %s", self.address_string(), fmt % args)

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_POST(self) -> None:
        self._handle(head=False)

    def _read_body(self) -> bytes:
        """The request body (Content-Length or chunked), read before anything answers."""
        if self.command != "POST":
            return b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    # -- plumbing ----------------------------------------------------------------------------
    def _handle(self, head: bool) -> None:
        hub = self.server.hub
        self.head = head
        self.fault = None
        self.extra_headers: dict[str, str] = {}
        raw_path, _, raw_query = self.path.partition("?")
        self.body = self._read_body()
        self.raw_query = raw_query
        self.query = Query(raw_query)
        self.segments = [unquote(s) for s in raw_path.split("/")[1:]]
        if raw_path.startswith("/_replay/"):
            return self._send_json(200, hub.stats())
        if self._rate_limited(hub, raw_path):
            return None
        self.fault = hub.faults.draw(raw_path)
        try:
            if not self._injected(hub):
                self._route()
        except ApiError as e:
            self.extra_headers.update(e.headers())
            if e.json_body:
                self._send_json(e.status, {"error": e.message})
            else:
                self._send(e.status, e.message.encode(), "text/plain; charset=utf-8")
        except _Moved as m:
            self._send(
                307,
                f"Temporary Redirect. Redirecting to {m.location}".encode(),
                "text/plain; charset=utf-8",
                {"Location": m.location},
            )
        except _Abort:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the replay hub must not look like a network fault
            log.exception("replay hub error on %s", self.path)
            self._send_json(500, {"error": f"replay hub error: {type(e).__name__}: {e}"})

    def _rate_limited(self, hub, raw_path: str) -> bool:
        """Count the request; answer 429 (True) when its bucket is over the hub's rate limit."""
        bucket = bucket_of(raw_path)
        hub.count(bucket or "other", endpoint_of(self.segments))
        allowed, rl_headers = hub.limiter.take(bucket)
        self.extra_headers.update(rl_headers)
        if not allowed:
            self.extra_headers["Retry-After"] = rl_headers["RateLimit"].rsplit("t=", 1)[1]
            self._send_json(429, {"error": "You have been rate-limited; you can retry later."})
        return not allowed

    def _injected(self, hub) -> bool:
        """Play the drawn fault: True when it answered the request (a reset raises _Abort)."""
        if self.fault == "reset":
            raise _Abort
        if self.fault == "5xx":
            self._send_json(503, {"error": "Service temporarily unavailable (injected)"})
            return True
        if self.fault == "429":
            self.extra_headers["Retry-After"] = str(hub.faults.retry_after_s)
            self._send_json(429, {"error": "Too many requests (injected)"})
            return True
        if self.fault == "timeout":
            time.sleep(hub.faults.stall_s)
        elif self.fault == "latency":
            time.sleep(hub.faults.latency_s)
        return False

    def _base_url(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def _other_origin(self) -> str:
        host = self.headers.get("Host") or "127.0.0.1"
        name, _, port = host.rpartition(":")
        other = "localhost" if name == "127.0.0.1" else "127.0.0.1"
        return f"http://{other}:{port}"

    def _send_json(self, status: int, obj, headers: dict | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict | None = None, *, length: int | None = None
    ) -> None:
        fault = self.fault if status < 300 else None
        if fault == "badjson" and ctype.startswith("application/json") and len(body) > 2:
            body = body[: len(body) // 2]  # complete HTTP message, broken JSON
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in {**self.extra_headers, **(headers or {})}.items():
            self.send_header(k, v)
        self.end_headers()
        if self.head:
            return
        if fault == "truncate" and len(body) > 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            raise _Abort
        self.wfile.write(body)

    # -- routing ------------------------------------------------------------------------------
    def _route(self) -> None:
        s = self.segments
        if len(s) >= 2 and s[0] == "api" and s[1] == "models":
            return self._models(s[2:])
        if len(s) >= 2 and s[0] == "api" and s[1] == "spaces":
            return self._spaces(s[2:])
        if len(s) >= 4 and s[:3] == ["api", "resolve-cache", "models"]:
            return self._resolve_cache(s[3:])
        if len(s) >= 2 and s[0] == "_cdn":
            return self._cdn(s[1])
        for pos in (1, 2):
            if len(s) > pos + 1 and s[pos] == "resolve":
                return self._resolve("/".join(s[:pos]), s[pos + 1], "/".join(s[pos + 2 :]))
        git = split_git_path(s)
        if git is not None:
            return self._git(*git)
        raise ApiError(404, f"Sorry, we can't find the page you are looking for: {self.path}")

    def _split_repo(self, rest: list[str]) -> tuple[str, list[str]]:
        """(repo id, what follows it) of the path segments after a route prefix; a stale id redirects."""
        store = self.server.hub.store
        if len(rest) >= 2 and store.model(f"{rest[0]}/{rest[1]}") is not None:
            return f"{rest[0]}/{rest[1]}", rest[2:]
        if rest and store.model(rest[0]) is not None:
            return rest[0], rest[1:]
        for n in (2, 1):
            if len(rest) >= n:
                self._redirect_if_moved("/".join(rest[:n]), len(self.segments) - len(rest))
        raise api.repo_not_found("/".join(rest[:2]))

    def _redirect_if_moved(self, repo_id: str, start: int) -> None:
        """Raise the Hub's 307 when `repo_id` (path segments from `start`) is an old name or another letter case."""
        target = self.server.hub.store.redirect_target(repo_id)
        if target is None:
            return
        raw_path, _, raw_query = self.path.partition("?")
        raw = raw_path.split("/")[1:]
        n = len(repo_id.split("/"))
        new = [quote(x, safe="") for x in target.split("/")]
        location = "/" + "/".join(raw[:start] + new + raw[start + n :])
        raise _Moved(location + (f"?{raw_query}" if raw_query else ""))

    def _repo(self, repo_id: str, start: int | None = None):
        repo = self.server.hub.store.repo(repo_id)
        if repo is None:
            if start is not None:
                self._redirect_if_moved(repo_id, start)
            raise api.repo_not_found(repo_id)
        return repo

    def _rev(self, repo, rev: str) -> int:
        idx = repo.resolve(rev)
        if idx is None:
            raise api.revision_not_found(rev)
        return idx

    def _next_link(self, path: str, pairs: list[tuple[str, str]]) -> str:
        return f'<{self._base_url()}{path}?{urlencode(pairs)}>; rel="next"'

    # -- /api/models ----------------------------------------------------------------------------
    def _models(self, rest: list[str]) -> None:
        if not rest:
            return self._list_models()
        repo_id, tail = self._split_repo(rest)
        repo = self._repo(repo_id)
        if not tail:
            return self._model_info(repo, "main")
        kind = tail[0]
        if kind == "revision" and len(tail) == 2:
            return self._model_info(repo, tail[1])
        if kind == "commits" and len(tail) == 2:
            return self._commits(repo, tail[1])
        if kind == "refs" and len(tail) == 1:
            return self._send_json(200, api.refs_body(repo, self.query.flag("include_prs")))
        if kind == "tree" and len(tail) >= 2:
            return self._tree(repo, tail[1], "/".join(tail[2:]))
        raise ApiError(404, f"Sorry, we can't find the page you are looking for: {self.path}")

    def _list_models(self) -> None:
        q = self.query
        expand = q.all("expand")
        full, card, config = q.flag("full"), q.flag("cardData"), q.flag("config")
        api.check_expand(expand, api.MODEL_EXPAND, api.INFO_ONLY_EXPAND)
        if expand and (full or card or config):
            raise ApiError(400, "expand cannot be combined with full, cardData or config")
        gated = q.get("gated")
        lq = ListQuery(
            search=q.get("search"),
            author=q.get("author"),
            tags=q.all("filter"),
            pipeline_tag=q.get("pipeline_tag"),
            gated=None if gated is None else gated.lower() == "true",
            sort=q.get("sort"),
            ascending=q.get("direction") == "1",
            limit=q.int("limit", MAX_PAGE),
            cursor=q.get("cursor"),
        )
        try:
            records, nxt = self.server.hub.store.list_models(lq)
        except ValueError as e:
            raise ApiError(400, str(e)) from None
        items = [api.model_list_item(r, expand, full, card, config) for r in records]
        headers = {"Link": self._next_link("/api/models", q.without("cursor") + [("cursor", nxt)])} if nxt else None
        self._send_json(200, items, headers)

    def _model_info(self, repo, rev: str) -> None:
        expand = self.query.all("expand")
        api.check_expand(expand, api.MODEL_EXPAND)
        idx = self._rev(repo, rev)
        children = self.server.hub.store.children_count(repo.record["id"]) if "childrenModelCount" in expand else 0
        self._send_json(200, api.model_info(repo, idx, expand, self.query.flag("blobs"), children))

    def _commits(self, repo, rev: str) -> None:
        idx = self._rev(repo, rev)
        formatted = "formatted" in self.query.all("expand")
        page = self.query.int("p", 0, lo=0, hi=10**9)
        limit = self.query.int("limit", COMMITS_PAGE)
        items = api.commit_items(repo, idx, formatted)
        chunk = items[page * limit : (page + 1) * limit]
        headers = {"X-Total-Count": str(len(items))}
        if (page + 1) * limit < len(items):
            pairs = [("p", str(page + 1)), ("limit", str(limit))] + ([("expand[]", "formatted")] if formatted else [])
            headers["Link"] = self._next_link(f"/api/models/{repo.record['id']}/commits/{quote(rev, safe='')}", pairs)
        self._send_json(200, chunk, headers)

    def _tree(self, repo, rev: str, path: str) -> None:
        idx = self._rev(repo, rev)
        expand = self.query.flag("expand")
        entries = api.tree_entries(repo, idx, path, self.query.flag("recursive"), expand)
        limit = self.query.int("limit", TREE_PAGE_EXPANDED if expand else TREE_PAGE)
        cursor = self.query.get("cursor")
        try:
            start = decode_cursor(cursor)["offset"] if cursor else 0
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, f"invalid cursor {cursor!r}") from None
        chunk = entries[start : start + limit]
        headers = None
        if start + limit < len(entries):
            pairs = self.query.without("cursor", "limit") + [
                ("limit", str(limit)),
                ("cursor", encode_cursor({"offset": start + limit})),
            ]
            sub = f"/{quote(path, safe='')}" if path else ""
            headers = {
                "Link": self._next_link(f"/api/models/{repo.record['id']}/tree/{quote(rev, safe='')}{sub}", pairs)
            }
        self._send_json(200, chunk, headers)

    # -- downloads ------------------------------------------------------------------------------
    def _entry(self, repo, idx: int, path: str):
        entry = repo.tree(idx).get(path)
        if entry is None:
            raise api.entry_not_found("Entry not found")
        return entry

    def _resolve(self, repo_id: str, rev: str, path: str) -> None:
        repo = self._repo(repo_id, start=0)
        idx = self._rev(repo, rev)
        commit = repo.commit_id(idx)
        self.extra_headers["X-Repo-Commit"] = commit
        oid, size, lfs = self._entry(repo, idx, path)
        if lfs:
            self._send(
                302,
                b"",
                "text/plain; charset=utf-8",
                {
                    "Location": f"{self._other_origin()}/_cdn/{lfs}",
                    "X-Linked-Etag": f'"{lfs}"',
                    "X-Linked-Size": str(size),
                },
            )
        else:
            location = f"/api/resolve-cache/models/{repo.record['id']}/{commit}/{quote(path)}?etag={oid}"
            self._send(307, b"", "text/plain; charset=utf-8", {"Location": location, "X-Linked-Etag": f'"{oid}"'})

    def _resolve_cache(self, rest: list[str]) -> None:
        repo_id, tail = self._split_repo(rest)
        if not tail:
            raise api.entry_not_found("Entry not found")
        repo = self._repo(repo_id)
        idx = self._rev(repo, tail[0])
        path = "/".join(tail[1:])
        entry = self._entry(repo, idx, path)
        oid = entry[0]
        data = git_blob_content(self.server.hub.store, path, entry, repo.origin(idx, path))
        if data is None:
            raise api.entry_not_found(f"Entry not found: the content of {path} is not part of this snapshot")
        ctype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self._send_bytes(
            data,
            ctype,
            {
                "ETag": f'"{oid}"',
                "X-Repo-Commit": repo.commit_id(idx),
                "Content-Disposition": f'inline; filename="{Path(path).name}"',
            },
        )

    def _cdn(self, sha256: str) -> None:
        data = self.server.hub.store.blob(sha256)
        if data is None:
            raise ApiError(404, "object not found", json_body=False)
        self._send_bytes(data, "application/octet-stream", {"ETag": f'"{sha256}"'})

    def _send_bytes(self, data: bytes, ctype: str, headers: dict) -> None:
        headers = {**headers, "Accept-Ranges": "bytes"}
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            first, _, last = rng[6:].split(",")[0].partition("-")
            try:
                start = int(first) if first else max(0, len(data) - int(last))
                end = int(last) if first and last else len(data) - 1
            except ValueError:
                start, end = 0, len(data) - 1
            if start >= len(data):
                return self._send(416, b"", ctype, {"Content-Range": f"bytes */{len(data)}"})
            end = min(end, len(data) - 1)
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return self._send(206, data[start : end + 1], ctype, headers)
        self._send(200, data, ctype, headers)

    # -- git smart HTTP ----------------------------------------------------------------------------
    def _git(self, repo_id: str, service: str) -> None:
        if service == "git-receive-pack" or "receive-pack" in self.raw_query:
            raise ApiError(403, "pushing is not supported by the replay hub", json_body=False)
        git = self.server.hub.git
        try:
            name = git.acquire(repo_id)
        except GitError as e:
            raise ApiError(500, str(e), json_body=False) from None
        if name is None:
            raise ApiError(404, f"Repository not found: {repo_id}", "RepoNotFound", json_body=False)
        try:
            status, headers, body = git.serve(name, service, self.command, self.raw_query, self.headers, self.body)
        finally:
            git.release(name)
        ctype = headers.pop("Content-Type", "application/octet-stream")
        self._send(status, body, ctype, headers)

    # -- /api/spaces ----------------------------------------------------------------------------
    def _spaces(self, rest: list[str]) -> None:
        store = self.server.hub.store
        if rest:
            sid = "/".join(rest[:2])
            record = store.space(sid)
            if record is None:
                raise api.repo_not_found(sid)
            return self._send_json(200, record)
        q = self.query
        expand = q.all("expand")
        api.check_expand(expand, api.SPACE_EXPAND)
        lq = ListQuery(
            search=q.get("search"),
            author=q.get("author"),
            tags=q.all("filter"),
            models=q.all("models"),
            sort=q.get("sort"),
            ascending=q.get("direction") == "1",
            limit=q.int("limit", MAX_PAGE),
            cursor=q.get("cursor"),
        )
        try:
            records, nxt = store.list_spaces(lq)
        except ValueError as e:
            raise ApiError(400, str(e)) from None
        items = [api.space_list_item(r, expand, q.flag("full")) for r in records]
        headers = {"Link": self._next_link("/api/spaces", q.without("cursor") + [("cursor", nxt)])} if nxt else None
        self._send_json(200, items, headers)
