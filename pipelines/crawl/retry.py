"""One retry policy for every call to the hub: the REST client, git and the weight checks' range reads.

A failed call is tried again a bounded number of times when the failure is transient (the caller says which
are), after the wait the hub asks for (a 429 with `RateLimit: ...;r=0;t=N` until the window resets, or
`Retry-After`), else after an exponential backoff with jitter. Every retry is counted in the crawl's requests.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from huggingface_hub.utils import parse_ratelimit_headers

from pipelines import config

log = logging.getLogger("hubmine.crawl")
T = TypeVar("T")


def asked_wait(headers: Mapping[str, str], status: int | None) -> float | None:
    """Seconds the hub asks a client to wait before its next request (one more than it says), or None."""
    lower = {k.lower(): v for k, v in headers.items()}
    info = parse_ratelimit_headers(lower)
    if status == 429 and info is not None and info.remaining == 0:
        return info.reset_in_seconds + 1
    retry_after = lower.get("retry-after", "").strip()
    return int(retry_after) + 1 if retry_after.isdigit() else None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient failure is retried."""

    max_retries: int = config.MAX_RETRIES
    backoff_base_s: float = config.BACKOFF_BASE_S  # first wait; doubles each retry, with jitter
    backoff_cap_s: float = config.BACKOFF_CAP_S  # longest backoff

    def backoff(self, attempt: int) -> float:
        """Half to all of min(cap, base * 2**attempt): retries of many threads do not arrive together."""
        return min(self.backoff_cap_s, self.backoff_base_s * 2**attempt) * (0.5 + random.random() / 2)

    def call(
        self,
        fn: Callable[[], T],
        what: str,
        *,
        transient: Callable[[Exception], bool],
        wait_of: Callable[[Exception], float | None],
        on_retry: Callable[[], None],
    ) -> T:
        """fn(), retried while it fails transiently; `wait_of` gives the wait a failure asks for (None: backoff),
        `on_retry` counts each retry."""
        for attempt in range(self.max_retries + 1):
            try:
                return fn()
            except Exception as e:  # noqa: BLE001 - classified by `transient`
                if attempt == self.max_retries or not transient(e):
                    raise
                asked = wait_of(e)
                wait = self.backoff(attempt) if asked is None else asked
                log.debug("retrying %s after %s (%.1fs)", what, type(e).__name__, wait)
                on_retry()
                time.sleep(wait)
        raise AssertionError("unreachable")


DEFAULT_RETRY = RetryPolicy()
