"""One request to the replay hub as its guards and routes see it, and the response they give back.

Paths are split raw and each segment unquoted afterwards, because the client sends revisions
percent-encoded with no safe characters (`refs%2Fpr%2F1`). Query parameters keep repeated keys
(`expand=a&expand=b`) and accept `expand[]` as `expand`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qsl, unquote, urlencode

from pipelines.replay.api import ApiError
from pipelines.replay.gitserve import GitRepos
from pipelines.replay.limits import bucket_of
from pipelines.replay.store import SnapshotStore

MAX_PAGE = 1000
TEXT = "text/plain; charset=utf-8"
JSON = "application/json; charset=utf-8"


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
        if raw is None or raw == "":
            return default
        try:
            return max(lo, min(hi, int(raw)))
        except ValueError:
            raise ApiError(400, f"{key} must be an integer, got {raw!r}") from None

    def without(self, *keys: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.pairs if k not in keys]


@dataclass
class Response:
    status: int
    body: bytes = b""
    ctype: str = TEXT
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, JSON, headers or {})


class Abort(Exception):
    """Drop the connection without an answer (fault injection)."""


class Moved(Exception):
    """Answer with the Hub's redirect to a repo's current id."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


class Exchange:
    """A request, what the hub serves it from, and the headers its answer carries whatever it is."""

    def __init__(
        self,
        method: str,
        target: str,
        headers: Message,
        body: bytes,
        *,
        store: SnapshotStore,
        git: GitRepos,
    ):
        self.method = method
        self.target = target  # path and query, as sent
        self.raw_path, _, self.raw_query = target.partition("?")
        self.segments = [unquote(s) for s in self.raw_path.split("/")[1:]]
        self.query = Query(self.raw_query)
        self.headers = headers
        self.body = body
        self.head = method == "HEAD"
        self.store = store
        self.git = git
        self.bucket = bucket_of(self.raw_path)  # the rate-limit bucket (None: not limited)
        self.fault: str | None = None  # the fault drawn for this request, played when the answer is written
        self.out_headers: dict[str, str] = {}  # sent with the answer, whatever it is (rate limits, X-Repo-Commit)

    def host(self) -> str:
        return self.headers.get("Host") or "127.0.0.1"

    def base_url(self) -> str:
        return f"http://{self.host()}"

    def other_origin(self) -> str:
        """The same port under the other loopback name: another origin to the client, as the Hub's CDN is."""
        name, _, port = self.host().rpartition(":")
        other = "localhost" if name == "127.0.0.1" else "127.0.0.1"
        return f"http://{other}:{port}"

    def next_link(self, path: str, pairs: list[tuple[str, str]]) -> str:
        """An absolute `Link` to the next page (the client cannot follow a relative one)."""
        return f'<{self.base_url()}{path}?{urlencode(pairs)}>; rel="next"'

    def page(self, items: list[object], path: str, cursor: str | None) -> Response:
        """A listing page, linked to the next one (the same query with its cursor) when there is one."""
        headers = {"Link": self.next_link(path, self.query.without("cursor") + [("cursor", cursor)])} if cursor else {}
        return json_response(items, headers=headers)
