"""HF-style rate limiting and fault injection for the replay hub (used by reliability tests).

Rate limits follow the Hub's published scheme: fixed windows per bucket (`api`, `resolvers`),
`RateLimit` / `RateLimit-Policy` headers on every response and 429 when a window is spent.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

FAULT_KINDS = ("5xx", "429", "truncate", "badjson", "reset", "timeout", "latency")


BUCKETS = ("api", "resolvers", "git")
GIT_PATH = re.compile(r"/(info/refs|git-upload-pack|git-receive-pack)$")


def bucket_of(path: str) -> str | None:
    """The rate-limit bucket of a request path (None: not limited, e.g. the CDN).

    `api` and `resolvers` are the Hub's published buckets; the Hub publishes no quota for git's smart HTTP,
    so the replay hub counts it in a bucket of its own (`git`) that can be limited separately.
    """
    if "/resolve/" in path or path.startswith("/api/resolve-cache/"):
        return "resolvers"
    if path.startswith("/api/"):
        return "api"
    if GIT_PATH.search(path):
        return "git"
    return None


def parse_rate_limits(spec: str | None) -> dict[str, tuple[int, int]]:
    """`api=500/300,resolvers=3000/300` -> {bucket: (quota, window seconds)}."""
    out: dict[str, tuple[int, int]] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        try:
            name, rest = part.split("=", 1)
            quota, window = rest.split("/", 1)
            out[name.strip()] = (int(quota), int(window))
        except ValueError as exc:
            raise ValueError(f"bad rate limit {part!r}: expected BUCKET=QUOTA/WINDOW_SECONDS") from exc
        if name.strip() not in BUCKETS:
            raise ValueError(f"unknown rate-limit bucket {name!r} ({', '.join(BUCKETS)})")
    return out


def parse_faults(spec: str | None) -> dict[str, float]:
    """`5xx=0.1,429=0.05,truncate=0.02` -> {kind: probability}."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        try:
            name, prob = part.split("=", 1)
            out[name.strip()] = float(prob)
        except ValueError as exc:
            raise ValueError(f"bad fault {part!r}: expected KIND=PROBABILITY") from exc
        if name.strip() not in FAULT_KINDS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULT_KINDS)}")
    if sum(out.values()) > 1:
        raise ValueError("fault probabilities add up to more than 1")
    return out


class RateLimiter:
    """Fixed windows per bucket, as the Hub does (5-minute windows there; short ones in tests)."""

    def __init__(self, limits: dict[str, tuple[int, int]]):
        self.limits = limits
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def take(self, bucket: str | None) -> tuple[bool, dict[str, str]]:
        """Spend one request; returns (allowed, headers to send)."""
        if bucket is None or bucket not in self.limits:
            return True, {}
        quota, window = self.limits[bucket]
        now = time.monotonic()
        with self._lock:
            start, used = self._windows.get(bucket, (now, 0))
            if now - start >= window:
                start, used = now, 0
            allowed = used < quota
            if allowed:
                used += 1
            self._windows[bucket] = (start, used)
        reset = max(1, int(round(window - (now - start))))
        headers = {
            "RateLimit": f'"{bucket}";r={max(0, quota - used)};t={reset}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota};w={window}',
        }
        return allowed, headers


@dataclass
class FaultInjector:
    """Draws at most one fault per request from a seeded RNG."""

    rates: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    stall_s: float = 5.0
    latency_s: float = 0.05
    retry_after_s: int = 1
    paths: str | None = None  # only requests whose path matches this regex get faults

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._paths = re.compile(self.paths) if self.paths else None
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {k: 0 for k in FAULT_KINDS}

    def draw(self, path: str = "") -> str | None:
        if not self.rates or (self._paths is not None and not self._paths.search(path)):
            return None
        with self._lock:
            x = self._rng.random()
            acc = 0.0
            for kind, p in self.rates.items():
                acc += p
                if x < acc:
                    self.injected[kind] += 1
                    return kind
        return None
