"""Helpers the tests share: the real sample's records, crawls into a home, read-only queries, free ports, copies."""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.crawl.client import HubClient
from pipelines.crawl.retry import RetryPolicy
from pipelines.crawl.run import crawl
from pipelines.crawl.session import CrawlSpec
from pipelines.definitions import ANALYSIS_ASSETS
from pipelines.replay.server import ReplayHub
from pipelines.runner import materialize_analyses
from warehouse.content import content as landed

ROOT = Path(__file__).resolve().parent.parent
REAL_SAMPLE = ROOT / "pipelines" / "replay" / "real-sample"
SECRET = "hf_hubmineTESTsecret0123456789abcdef"  # an HF token that must never show up anywhere
DEAD_HUB = "http://127.0.0.1:9"  # nothing listens there: a test that forgets --endpoint fails, offline
# The verdict a weight check should reach for each derivation the synthetic generator makes.
VERDICT_OF = {
    "finetune": "finetune",
    "adapter": "adapter-merge",
    "quantized": "quantized",
    "reupload": "identical",
    "unrelated": "unrelated",
}


@functools.lru_cache(maxsize=1)
def real_records() -> tuple[dict, ...]:
    """The real sample's model records, as the replay hub serves them."""
    with open(REAL_SAMPLE / "models.jsonl", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())


def fast_client(url: str, max_retries: int = 6, **kw) -> HubClient:
    """A client with short backoffs so fault tests do not sleep for long."""
    opts = {"timeout_s": 5.0, "concurrency": 4, **kw}
    return HubClient(url, retry=RetryPolicy(max_retries, backoff_base_s=0.05, backoff_cap_s=0.5), **opts)


def crawl_into(home: Path, url: str, mode: str = "full", client: HubClient | None = None, **spec) -> dict:
    return crawl(CrawlSpec(url, mode, **spec), home, client or fast_client(url))


def query(home: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def content(home: Path) -> dict[str, list]:
    """Everything a crawl lands, in a comparable form (crawl ids and timestamps left out)."""
    return landed(home)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_home(src: Path, dst: Path) -> Path:
    """A private copy of a crawled home (warehouse and lake) for a test that writes to it: cheaper than a crawl."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.lock"))
    return dst


class Analysed:
    """A crawled and analysed warehouse, with the Dagster result of the analyses run."""

    def __init__(self, home: Path, result):
        self.home = home
        self.result = result

    def rows(self, sql: str, params=None) -> list[tuple]:
        return query(self.home, sql, params)

    def frame(self, sql: str):
        con = duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True)
        try:
            return pl.from_arrow(con.sql(sql).to_arrow_table())
        finally:
            con.close()


def analyse(home: Path, store, **crawl_kw) -> Analysed:
    """Crawl a store served on loopback into `home`, then run every analysis over it."""
    with ReplayHub(store) as hub:
        crawl_into(home, hub.url, **crawl_kw)
    return Analysed(home, materialize_analyses(home, ANALYSIS_ASSETS))


def one_error_line(capsys) -> str:
    """The one line a user error prints (`hubmine: error: ...`), with no traceback."""
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hubmine: error: "), lines
    assert "Traceback" not in out + err
    return lines[0]


def hubmine(*args: str, env: dict | None = None, stdin: str | None = None, timeout: int = 300):
    """`python -m pipelines.cli ARGS` in its own process, as a user runs it; the environment is `env` alone
    (PATH only when not given), so nothing of the test process leaks in."""
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        input=stdin,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def chromium() -> str:
    """Debian's chromium, installed here when it is missing and we may (root with apt); else the test skips."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe and shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=900)
        exe = shutil.which("chromium")
    if not exe:
        pytest.skip("Debian's chromium is not installed and cannot be installed here (needs root and apt)")
    return exe
