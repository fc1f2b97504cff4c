"""The crawler's view of a hub: huggingface_hub's HfApi with request counting, timeouts and retries.

huggingface_hub retries paginated calls itself (honouring RateLimit headers) but not model_info,
list_repo_refs or single downloads, and its shared HTTP client has no timeout. This module installs a
client factory that counts every request by rate-limit bucket and sets timeouts, and wraps the calls the
client does not retry with the crawl's one RetryPolicy (pipelines/crawl/retry.py), which git and the weight
checks' range reads share. The token comes from HF_TOKEN and is never logged or stored.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
from huggingface_hub import HfApi, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import (
    build_hf_headers,
    get_session,
    hf_raise_for_status,
    http_backoff,
    set_client_factory,
)
from huggingface_hub.utils._http import hf_request_event_hook  # the client's own hook (trace ids, offline mode)

from pipelines import config
from pipelines.config import RepoType
from pipelines.crawl.gitremote import GitRemote
from pipelines.crawl.retry import DEFAULT_RETRY, RetryPolicy, asked_wait
from pipelines.errors import EndpointUnreachable

T = TypeVar("T")
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
LISTING_EXPAND = [
    "author",
    "sha",
    "createdAt",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "tags",
    "pipeline_tag",
    "library_name",
    "cardData",
    "siblings",
    "spaces",
    "safetensors",
    "config",
    "transformersInfo",
    "gguf",
]
SPACE_EXPAND = ["author", "createdAt", "lastModified", "likes", "models", "sdk", "sha", "tags"]


def probe_endpoint(endpoint: str, token: str | None = None, timeout_s: float = config.PROBE_TIMEOUT_S) -> None:
    """One small listing request before any work (a crawl, a weight check), so a wrong endpoint fails in seconds
    with the fix.

    A hub that answers 429 or 5xx is a hub (the crawl's own retries deal with it); anything that is not the
    Hub API's JSON, or nothing at all, raises EndpointUnreachable. Not counted in the crawl's requests.
    """
    if urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc:
        guess = f" (did you mean http://{endpoint}?)" if "://" not in endpoint else ""
        raise EndpointUnreachable(endpoint, f"is not an http:// or https:// URL{guess}")
    headers = build_hf_headers(token=token, library_name="hubmine")
    try:
        with httpx2.Client(timeout=timeout_s, follow_redirects=True) as http:
            r = http.get(f"{endpoint}/api/models", params={"limit": 1}, headers=headers)
    except httpx2.ConnectError as e:
        raise EndpointUnreachable(endpoint, f"does not answer ({_reason(e) or 'nothing is listening there'})") from None
    except httpx2.TimeoutException:
        raise EndpointUnreachable(endpoint, f"did not answer within {timeout_s:g}s") from None
    except httpx2.HTTPError as e:
        raise EndpointUnreachable(endpoint, f"could not be reached ({type(e).__name__}: {_reason(e)})") from None
    _check_probe_answer(endpoint, r)


def _reason(e: Exception) -> str:
    return " ".join(str(e).split())[:160]


def _check_probe_answer(endpoint: str, r: httpx2.Response) -> None:
    if r.status_code == 429 or r.status_code >= 500:
        return
    if r.status_code in (401, 403):
        raise EndpointUnreachable(
            endpoint,
            f"refused the request ({r.status_code}); if it needs a token, set "
            "HF_TOKEN (an invalid HF_TOKEN is refused too)",
        )
    if r.status_code != 200:
        raise EndpointUnreachable(endpoint, f"answered {r.status_code} to /api/models, so it is not a Hugging Face hub")
    try:
        body = r.json()
    except ValueError:
        html = "html" in r.headers.get("content-type", "") or r.text.lstrip()[:1] == "<"
        raise EndpointUnreachable(
            endpoint,
            f"answered /api/models with {'an HTML page' if html else 'something'} that is not the Hub API's JSON",
        ) from None
    if not isinstance(body, list):
        raise EndpointUnreachable(endpoint, "answered /api/models with JSON that is not a list of models")


def _listing_params(expand: list[str], author: str | None, search: str | None) -> list[tuple[str, Any]]:
    """Query parameters of a listing: the fields to expand and the crawl's scope (author, search)."""
    params: list[tuple[str, Any]] = [("expand", e) for e in expand]
    params += [(k, v) for k, v in (("author", author), ("search", search)) if v]
    return params


class RequestCounter:
    """Requests per rate-limit bucket, as the Hub counts them (`/resolve/` paths are resolvers)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts = {"api": 0, "resolvers": 0, "other": 0, "retries": 0, "git": 0, "git_bytes": 0}

    def on_request(self, request: httpx2.Request) -> None:
        path = request.url.path
        resolver = "/resolve/" in path or "/resolve-cache/" in path
        bucket = "resolvers" if resolver else "api" if path.startswith("/api/") else "other"
        with self._lock:
            self.counts[bucket] += 1

    def add_git(self, requests: int, received: int) -> None:
        """HTTP requests and bytes received of a git exchange (git speaks HTTP itself)."""
        with self._lock:
            self.counts["git"] += requests
            self.counts["git_bytes"] += received

    def retry(self) -> None:
        with self._lock:
            self.counts["retries"] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counts)


COUNTER = RequestCounter()
_installed: tuple | None = None
_install_lock = threading.Lock()


def install_http_client(timeout_s: float, max_connections: int) -> None:
    """Route all huggingface_hub traffic of this process through a counted client with timeouts."""
    global _installed
    key = (timeout_s, max_connections)
    with _install_lock:
        if _installed == key:
            return

        def factory() -> httpx2.Client:
            return httpx2.Client(
                event_hooks={"request": [hf_request_event_hook, COUNTER.on_request]},
                follow_redirects=True,
                timeout=httpx2.Timeout(timeout_s, connect=min(10.0, timeout_s)),
                limits=httpx2.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            )

        set_client_factory(factory)
        _installed = key


def response_wait(error: Exception) -> float | None:
    """The wait the hub's answer to a failed call asks for (None when there was no answer or it asks none)."""
    response = getattr(error, "response", None)
    return None if response is None else asked_wait(response.headers, response.status_code)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, (RepositoryNotFoundError, RevisionNotFoundError)):
        return False
    if isinstance(error, LocalEntryNotFoundError):
        return True  # hf_hub_download's wrapper around a connection problem
    if isinstance(error, EntryNotFoundError):
        return False
    if isinstance(error, HfHubHTTPError):
        response = error.response
        return response is not None and response.status_code in RETRY_STATUS
    return isinstance(error, (httpx2.TransportError, httpx2.DecodingError, json.JSONDecodeError, OSError))


class HubClient:
    """One hub endpoint; thread-safe (the HTTP client is shared, counters are locked)."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        timeout_s: float = config.TIMEOUT_S,
        concurrency: int = config.CONCURRENCY,
        retry: RetryPolicy = DEFAULT_RETRY,
    ):
        self.endpoint = config.normalize_endpoint(endpoint)
        self.retry = retry
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        install_http_client(timeout_s, max(16, concurrency * 2))
        self._token = os.environ.get("HF_TOKEN") or None
        self.api = HfApi(endpoint=self.endpoint, token=self._token, library_name="hubmine")
        self.counter = COUNTER

    def __repr__(self) -> str:  # never shows the token
        return f"HubClient(endpoint={self.endpoint!r})"

    def probe(self, timeout_s: float = config.PROBE_TIMEOUT_S) -> None:
        """Fail fast, with the fix, when the endpoint is not a reachable hub (see probe_endpoint)."""
        probe_endpoint(self.endpoint, self._token, timeout_s)

    def retrying(self, fn: Callable[[], T], what: str) -> T:
        """fn() under the retry policy, for calls the client does not retry itself."""
        return self.retry.call(fn, what, transient=is_transient, wait_of=response_wait, on_retry=self.counter.retry)

    def git(self) -> GitRemote:
        """Git over the same endpoint, token, counter, timeout and retry policy."""
        return GitRemote(self.endpoint, self._token, self.counter, timeout_s=self.timeout_s, retry=self.retry)

    # -- listings (page by page, so a crawl can resume at the page it stopped) --------------------
    def _pages(
        self, repo_type: RepoType, params: list[tuple[str, Any]], start_url: str | None
    ) -> Iterator[tuple[list, str, str | None]]:
        """(items, url of this page, url of the next page or None); the cursor is the Hub's own Link header.

        Paging by hand (with the client's http_backoff and error mapping) rather than through list_models,
        because list_models hides the cursor a resumable crawl must checkpoint. A page whose body is not
        valid JSON is fetched again (bounded) before giving up.
        """
        headers = build_hf_headers(token=self.api.token, library_name="hubmine")
        url: str | None = start_url or f"{self.endpoint}/api/{repo_type}s"
        first = start_url is None
        while url is not None:
            page_url = url

            def fetch(u=page_url, with_params=first):
                r = http_backoff("GET", u, params=params if with_params else None, headers=headers)
                hf_raise_for_status(r)
                body = r.json()
                if not isinstance(body, list):
                    raise json.JSONDecodeError("page is not a JSON array", str(body)[:50], 0)
                return body, str(r.url), r.links.get("next", {}).get("url")

            items, fetched_url, url = self.retrying(fetch, f"listing page {page_url}")
            first = False
            yield items, fetched_url, url

    def model_pages(
        self,
        *,
        author: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        start_url: str | None = None,
    ) -> Iterator[tuple[list, str, str | None]]:
        params = _listing_params(LISTING_EXPAND, author, search)
        if limit:
            params.append(("limit", min(limit, 1000)))
        return self._pages("model", params, start_url)

    def space_pages(
        self, *, author: str | None = None, search: str | None = None, start_url: str | None = None
    ) -> Iterator[tuple[list, str, str | None]]:
        return self._pages("space", _listing_params(SPACE_EXPAND, author, search), start_url)

    # -- per repo -----------------------------------------------------------------------------------
    def commits(self, repo_id: str, revision: str):
        return self.retrying(lambda: self.api.list_repo_commits(repo_id, revision=revision), f"commits {repo_id}")

    def refs(self, repo_id: str):
        return self.retrying(lambda: self.api.list_repo_refs(repo_id, include_pull_requests=True), f"refs {repo_id}")

    def tree(self, repo_id: str, revision: str):
        return self.retrying(
            lambda: list(self.api.list_repo_tree(repo_id, revision=revision, recursive=True)),
            f"tree {repo_id}@{revision[:8]}",
        )

    def download(self, repo_id: str, filename: str, revision: str, cache_dir: Path) -> bytes:
        def fetch() -> bytes:
            path = self.api.hf_hub_download(repo_id, filename, revision=revision, cache_dir=cache_dir)
            return Path(path).read_bytes()

        return self.retrying(fetch, f"download {repo_id}/{filename}")

    def read_range(self, repo_id: str, filename: str, revision: str, start: int, end: int) -> tuple[bytes, int]:
        """Bytes [start, end) of a file at a revision and the file's size: one HTTP Range request on /resolve/
        (a resolver request), retried like the other per-repo calls. A server that ignores Range is sliced."""
        url = hf_hub_url(repo_id, filename, revision=revision, endpoint=self.endpoint)
        headers = {
            **build_hf_headers(token=self.api.token, library_name="hubmine"),
            "Range": f"bytes={start}-{end - 1}",
        }

        def fetch() -> tuple[bytes, int]:
            r = get_session().get(url, headers=headers)
            hf_raise_for_status(r)
            if r.status_code == 206:
                total = r.headers.get("Content-Range", "").rpartition("/")[2]
                return r.content, int(total) if total.isdigit() else start + len(r.content)
            return r.content[start:end], len(r.content)

        return self.retrying(fetch, f"range {repo_id}/{filename}@{revision[:8]}")
