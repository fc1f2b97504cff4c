"""Shared fixtures: real snapshot stores, replay hubs on loopback, crawled warehouses."""

from __future__ import annotations

import functools
import json
import os
import socket
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there: a test that forgets --endpoint fails, offline

from pipelines.crawl.client import HubClient  # noqa: E402
from pipelines.crawl.retry import RetryPolicy  # noqa: E402
from pipelines.crawl.run import crawl  # noqa: E402
from pipelines.crawl.session import CrawlSpec  # noqa: E402
from pipelines.replay.server import ReplayHub  # noqa: E402
from pipelines.replay.store import SnapshotStore, open_snapshots  # noqa: E402
from pipelines.replay.synth.generator import generate  # noqa: E402

REAL_SAMPLE = Path(__file__).resolve().parent.parent / "pipelines" / "replay" / "real-sample"


@functools.lru_cache(maxsize=1)
def real_records() -> tuple[dict, ...]:
    """The real sample's model records, as the replay hub serves them."""
    with open(REAL_SAMPLE / "models.jsonl", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh if line.strip())


@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> SnapshotStore:
    return open_snapshots([REAL_SAMPLE], tmp_path_factory.mktemp("real-store"))


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "hub"
    generate(out, 400, seed=3, checkpoint_models=24)
    return out


@pytest.fixture(scope="session")
def synth_store(synth_dir) -> SnapshotStore:
    return open_snapshots([synth_dir])


@pytest.fixture
def replay():
    """Start replay hubs on loopback for the test; all are stopped afterwards."""
    hubs = []

    def start(store, **kw) -> ReplayHub:
        hub = ReplayHub(store, **kw).start()
        hubs.append(hub)
        return hub

    yield start
    for h in hubs:
        h.stop()


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
    from warehouse.content import content as landed

    return landed(home)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Analysed:
    """A crawled and analysed warehouse, with the Dagster result of the analyses run."""

    def __init__(self, home: Path, result):
        self.home = home
        self.result = result

    def rows(self, sql: str, params=None) -> list[tuple]:
        return query(self.home, sql, params)

    def frame(self, sql: str):
        import polars as pl

        con = duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True)
        try:
            return pl.from_arrow(con.sql(sql).to_arrow_table())
        finally:
            con.close()


def _analyse(home: Path, store, **crawl_kw) -> Analysed:
    from pipelines.definitions import ANALYSIS_ASSETS
    from pipelines.runner import materialize_analyses

    hub = ReplayHub(store).start()
    try:
        crawl_into(home, hub.url, **crawl_kw)
    finally:
        hub.stop()
    return Analysed(home, materialize_analyses(home, ANALYSIS_ASSETS))


@pytest.fixture(scope="session")
def analysed_real(tmp_path_factory, real_store) -> Analysed:
    """The real sample crawled in full and analysed. History through the REST API: the sample has no history to
    read, and git mode is exercised on the synthetic hub (analysed_synth) and in test_git_history."""
    return _analyse(tmp_path_factory.mktemp("analysed-real"), real_store, history="api")


@pytest.fixture(scope="session")
def analysed_synth(tmp_path_factory, synth_store) -> Analysed:
    """The 400-model synthetic hub crawled in full and analysed; its truth is in synth_dir/truth."""
    return _analyse(tmp_path_factory.mktemp("analysed-synth"), synth_store)
