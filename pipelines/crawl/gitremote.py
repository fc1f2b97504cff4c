"""Git over the Hub's smart HTTP: blobless partial clones of model repos, counted and retried.

Every git request is counted (GIT_TRACE_CURL, whose Authorization lines git redacts) in the crawl's
request counter beside the API and resolver buckets, with the bytes received. The token travels in an
HTTP header set through GIT_CONFIG_* environment variables, scoped to the hub's URL: it is never part of
a URL, a command line, a log line or an error message. The user's and the system's git configuration
are ignored, so credential helpers or URL rewrites cannot interfere.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pipelines import config
from pipelines.config import HistoryMode
from pipelines.crawl.retry import DEFAULT_RETRY, RetryPolicy, asked_wait

T = TypeVar("T")
GIT_MIN_VERSION = (2, 30)
BLOB_LIMIT = "1m"  # blobs larger than this stay on the hub (LFS files are small pointers)
# protocol v0 clones in two HTTP requests (ref advertisement, then wants and the pack); v2 needs a third
# (ls-refs). Both carry partial-clone filters and shallow boundaries.
GIT_PROTOCOL = "0"
TRACE_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d+ http\.c:\d+ +")
SEND = re.compile(r"=> Send header: (GET|POST) ")
RECV_DATA = re.compile(r"<= Recv data, *(\d+) bytes")
RECV_HEADER = re.compile(r"<= Recv header: ([A-Za-z-]+): (.*)")
RECV_STATUS = re.compile(r"<= Recv header: HTTP/[\d.]+ (\d{3})")
HTTP_STATUS = re.compile(r"(?:returned error|HTTP)[: ]+(\d{3})")
PERMANENT = ("not found", "404", "401", "403", "Authentication failed", "could not read Username")


@functools.lru_cache(maxsize=1)
def git_version() -> tuple[int, ...] | None:
    """Version of the git binary on PATH, or None when there is none."""
    exe = shutil.which("git")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def default_history() -> HistoryMode:
    """`git` where a git >= 2.30 binary is present (partial clone and protocol v2), else `api`."""
    v = git_version()
    return "git" if v is not None and v >= GIT_MIN_VERSION else "api"


class GitFailed(Exception):
    """A git exchange failed; `transient` says whether trying again may help."""

    def __init__(self, message: str, transient: bool, wait_s: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.wait_s = wait_s


class GitRemote:
    """One hub endpoint reached with the git binary; thread-safe (each call runs its own processes)."""

    def __init__(
        self,
        endpoint: str,
        token: str | None,
        counter,
        *,
        timeout_s: float = config.TIMEOUT_S,
        retry: RetryPolicy = DEFAULT_RETRY,
    ):
        self.endpoint = config.normalize_endpoint(endpoint)
        self.counter = counter
        self.timeout_s = timeout_s
        self.retry = retry
        self._token = token
        self._env = self._base_env(token)

    def __repr__(self) -> str:  # never shows the token
        return f"GitRemote(endpoint={self.endpoint!r})"

    def _base_env(self, token: str | None) -> dict:
        config = {
            "protocol.version": GIT_PROTOCOL,
            "http.lowSpeedLimit": "1000",
            "http.lowSpeedTime": str(max(1, math.ceil(self.timeout_s))),
            "credential.helper": "",
            "core.askPass": "",
            "fetch.negotiationAlgorithm": "noop",
            "gc.auto": "0",
            "transfer.fsckObjects": "false",
        }
        if token:
            config[f"http.{self.endpoint}/.extraHeader"] = f"Authorization: Bearer {token}"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": tempfile.gettempdir(),
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "",
            "GIT_TRACE_CURL": "2",
            "GIT_TRACE_REDACT": "1",
            "GIT_CONFIG_COUNT": str(len(config)),
        }
        for i, (k, v) in enumerate(config.items()):
            env[f"GIT_CONFIG_KEY_{i}"], env[f"GIT_CONFIG_VALUE_{i}"] = k, v
        return env

    def url(self, repo_id: str) -> str:
        return f"{self.endpoint}/{repo_id}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    # -- running git ------------------------------------------------------------------------------
    def run(
        self, args: list[str], *, cwd: Path | None = None, stdin: bytes | None = None, timeout_s: float | None = None
    ) -> bytes:
        """Run one git command; its HTTP requests and bytes are counted; failures raise GitFailed."""
        try:
            proc = subprocess.run(
                ["git", *args],
                cwd=cwd,
                input=stdin,
                env=self._env,
                capture_output=True,
                timeout=timeout_s or max(120.0, 20 * self.timeout_s),
            )
        except subprocess.TimeoutExpired:
            raise GitFailed(f"git {args[0]} timed out", transient=True) from None
        errors, wait_s = self._account(proc.stderr)
        if proc.returncode != 0:
            message = self._scrub(" ".join(" ".join(errors).split()))[-400:]
            message = message or f"git {args[0]} exited {proc.returncode}"
            transient = not any(p in message for p in PERMANENT)
            status = HTTP_STATUS.search(message)
            if status and (status.group(1) in ("408", "429") or status.group(1).startswith("5")):
                transient = True
            raise GitFailed(message, transient, wait_s)
        return proc.stdout

    def _account(self, stderr: bytes) -> tuple[list[str], float | None]:
        """Count requests and bytes from the curl trace; return git's own messages and the wait the hub asked
        for in its last response that asked for one (read from the headers as the REST client reads them)."""
        requests = received = 0
        errors: list[str] = []
        responses: list[tuple[int, dict[str, str]]] = []
        for raw in stderr.decode("utf-8", "replace").splitlines():
            m = TRACE_LINE.match(raw)
            if m is None:
                errors.append(raw)
                continue
            line = raw[m.end() :]
            if SEND.match(line):
                requests += 1
            elif (d := RECV_DATA.match(line)) is not None:
                received += int(d.group(1))
            elif (s := RECV_STATUS.match(line)) is not None:
                responses.append((int(s.group(1)), {}))
            elif (h := RECV_HEADER.match(line)) is not None and responses:
                responses[-1][1][h.group(1)] = h.group(2).strip()
        self.counter.add_git(requests, received)
        waits = [w for status, headers in responses if (w := asked_wait(headers, status)) is not None]
        return errors, (waits[-1] if waits else None)

    def succeeds(self, args: list[str], cwd: Path) -> bool:
        """Whether a local git command (no network) exits 0, e.g. an ancestry test."""
        return subprocess.run(["git", *args], cwd=cwd, env=self._env, capture_output=True).returncode == 0

    def retrying(self, fn: Callable[[], T], what: str) -> T:
        """fn() under the retry policy: transient git failures are retried."""
        return self.retry.call(
            fn,
            what,
            transient=lambda e: isinstance(e, GitFailed) and e.transient,
            wait_of=lambda e: e.wait_s if isinstance(e, GitFailed) else None,
            on_retry=self.counter.retry,
        )

    # -- exchanges ----------------------------------------------------------------------------------
    def clone(self, repo_id: str, dest: Path, since: int | None = None) -> None:
        """A bare, blobless (blobs over 1 MiB left out) mirror clone: every ref, commit and tree.

        With `since` (seconds since the epoch) the history stops at commits older than that moment.
        """
        args = ["clone", "--quiet", "--mirror", f"--filter=blob:limit={BLOB_LIMIT}"]
        if since is not None:
            args += [f"--shallow-since=@{since}", "--no-single-branch"]

        def attempt():
            shutil.rmtree(dest, ignore_errors=True)
            self.run([*args, self.url(repo_id), str(dest)])

        self.retrying(attempt, f"clone {repo_id}")

    def fetch_objects(self, repo: Path, oids: list[str]) -> None:
        """Fetch objects the partial clone left out (large regular files whose size is needed)."""
        if oids:
            self.retrying(
                lambda: self.run(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "origin", *oids], cwd=repo),
                "fetch objects",
            )
