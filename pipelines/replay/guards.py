"""What the replay hub does to every request before a route answers it: count it, rate-limit it, inject faults.

A guard looks at the exchange and either answers (a 429, an injected 503, the hub's own statistics), or
returns None to let the next guard and then the route answer. Guards run in the order ReplayHub lists them; a
new cross-cutting behaviour (latency on every request, say) is one more guard in that list.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from pipelines.replay.exchange import Abort, Exchange, Response, json_response
from pipelines.replay.gitserve import split_git_path
from pipelines.replay.limits import FaultInjector, RateLimiter

Guard = Callable[[Exchange], Response | None]
STATS_PREFIX = "/_replay/"  # the hub's own statistics: not counted, limited or faulted


def endpoint_of(segments: list[str]) -> str | None:
    """The per-repo endpoint a request path names (counted for benches and tests), or None."""
    if segments[:2] == ["api", "models"] and len(segments) > 3:
        for kind in ("commits", "refs", "tree"):
            if kind in segments[3:5]:
                return kind
    git = split_git_path(segments)
    return f"git:{git[1]}" if git else None


class Traffic:
    """Requests per rate-limit bucket and per per-repo endpoint (commits, refs, tree, git services)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.endpoints: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, ex: Exchange) -> None:
        endpoint = endpoint_of(ex.segments)
        with self._lock:
            self.requests[ex.bucket or "other"] += 1
            if endpoint:
                self.endpoints[endpoint] += 1

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {"requests": dict(self.requests), "endpoints": dict(self.endpoints)}


class Stats:
    """`GET /_replay/...`: the hub's statistics, answered before any other guard sees the request."""

    def __init__(self, stats: Callable[[], dict[str, Any]]):
        self.stats = stats

    def __call__(self, ex: Exchange) -> Response | None:
        return json_response(self.stats()) if ex.raw_path.startswith(STATS_PREFIX) else None


class RateLimit:
    """The Hub's fixed windows per bucket: `RateLimit` headers on every answer, 429 with Retry-After when spent."""

    def __init__(self, limiter: RateLimiter):
        self.limiter = limiter

    def __call__(self, ex: Exchange) -> Response | None:
        allowed, headers = self.limiter.take(ex.bucket)
        ex.out_headers.update(headers)
        if allowed:
            return None
        ex.out_headers["Retry-After"] = headers["RateLimit"].rsplit("t=", 1)[1]
        return json_response({"error": "You have been rate-limited; you can retry later."}, 429)


class Faults:
    """Draw at most one fault per request: answer it (5xx, 429), drop the connection, stall, or leave it for the
    answer to play (a truncated or broken body)."""

    def __init__(self, injector: FaultInjector):
        self.injector = injector

    def __call__(self, ex: Exchange) -> Response | None:
        ex.fault = fault = self.injector.draw(ex.raw_path)
        if fault == "reset":
            raise Abort
        if fault == "5xx":
            return json_response({"error": "Service temporarily unavailable (injected)"}, 503)
        if fault == "429":
            ex.out_headers["Retry-After"] = str(self.injector.retry_after_s)
            return json_response({"error": "Too many requests (injected)"}, 429)
        if fault == "timeout":
            time.sleep(self.injector.stall_s)
        elif fault == "latency":
            time.sleep(self.injector.latency_s)
        return None
