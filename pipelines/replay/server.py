"""The replay hub: an HTTP server answering the HF REST API subset huggingface_hub uses, and git's smart HTTP.

Each request becomes an Exchange; guards (guards.py: counting, rate limits, fault injection) see it first, then
the route table (routes/) answers it from two sources: the store (records, repos and file contents) and the git
repositories (gitserve.py). Pagination links are absolute, dates end in `Z`, errors carry `X-Error-Code`,
downloads follow the Hub's redirect hops without any Xet headers, and stale repo ids redirect as on the Hub
(HF-API.md has the rules and where they come from).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipelines.replay.api import ApiError
from pipelines.replay.exchange import TEXT, Abort, Exchange, Moved, Response, json_response
from pipelines.replay.gitserve import GitRepos
from pipelines.replay.guards import Faults, Guard, RateLimit, Stats, Traffic
from pipelines.replay.limits import FaultInjector, RateLimiter
from pipelines.replay.routes import dispatch
from pipelines.replay.store import SnapshotStore

log = logging.getLogger("hubmine.replay")


class ReplayHub:
    """Owns the store, git repositories, guards and counters; `start()` serves it on a loopback port."""

    def __init__(
        self,
        store: SnapshotStore,
        *,
        rate_limits: dict[str, tuple[int, int]] | None = None,
        faults: FaultInjector | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_log: bool = False,
        git_cache: int = 256,
        git_dir: Path | None = None,
    ):
        self.store = store
        self.git = GitRepos(store, git_dir, git_cache)
        self.faults = faults or FaultInjector()
        self.traffic = Traffic()
        self.guards: list[Guard] = [
            Stats(self.stats),
            self.traffic,
            RateLimit(RateLimiter(rate_limits or {})),
            Faults(self.faults),
        ]
        self.access_log = access_log
        self.httpd = _Server((host, port), _Handler)
        self.httpd.hub = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def stats(self) -> dict[str, Any]:
        """Requests per rate-limit bucket and per per-repo endpoint (commits, refs, tree, git services)."""
        return {**self.traffic.counts(), "faults": dict(self.faults.injected)}

    @property
    def requests(self) -> Counter[str]:
        """Requests per rate-limit bucket so far (clear it to count afresh)."""
        return self.traffic.requests

    @property
    def endpoints(self) -> Counter[str]:
        """Requests per per-repo endpoint so far (clear it to count afresh)."""
        return self.traffic.endpoints

    def answer(self, ex: Exchange) -> Response:
        """The guards' answer, else the route's; errors become the Hub's error answers."""
        try:
            for guard in self.guards:
                early = guard(ex)
                if early is not None:
                    return early
            return dispatch(ex)
        except ApiError as e:
            ex.out_headers.update(e.headers())
            if e.json_body:
                return json_response({"error": e.message}, e.status)
            return Response(e.status, e.message.encode(), TEXT)
        except Moved as m:
            body = f"Temporary Redirect. Redirecting to {m.location}".encode()
            return Response(307, body, TEXT, {"Location": m.location})
        except (Abort, BrokenPipeError, ConnectionResetError):
            raise
        except Exception as e:  # a bug in the replay hub must not look like a network fault
            log.exception("replay hub error on %s", ex.target)
            return json_response({"error": f"replay hub error: {type(e).__name__}: {e}"}, 500)

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

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True
    hub: ReplayHub


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing only: read the request, let the hub answer, write the answer (playing its fault)."""

    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "hubmine-replay"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt: str, *args: Any) -> None:
        if self.server.hub.access_log:
            log.info("%s %s", self.address_string(), fmt % args)

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        """The request body (Content-Length or chunked), read before anything answers."""
        if self.command != "POST":
            return b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        hub = self.server.hub
        body = self._read_body()
        ex = Exchange(self.command, self.path, self.headers, body, store=hub.store, git=hub.git)
        try:
            self._write(ex, hub.answer(ex))
        except Abort:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _write(self, ex: Exchange, r: Response) -> None:
        fault = ex.fault if r.status < 300 else None
        body = r.body
        if fault == "badjson" and r.ctype.startswith("application/json") and len(body) > 2:
            body = body[: len(body) // 2]  # complete HTTP message, broken JSON
        self.send_response(r.status)
        self.send_header("Content-Type", r.ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in {**ex.out_headers, **r.headers}.items():
            self.send_header(k, v)
        self.end_headers()
        if ex.head:
            return
        if fault == "truncate" and len(body) > 1:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            raise Abort
        self.wfile.write(body)
