"""Loading a crawl: the real sample's listing landed once, loaded in one transaction (idempotent), then read
only through the sandboxed ad-hoc SQL."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.crawl.listing import run_model_listing
from pipelines.crawl.repos import landed_requests
from pipelines.crawl.session import CrawlSession, CrawlSpec
from pipelines.replay.server import ReplayHub
from tests.helpers import fast_client, query, real_records
from warehouse import load as load_mod
from warehouse.load import load_crawl
from warehouse.query import connect_readonly, run_query


@pytest.fixture(scope="module")
def listed_session(real_store, tmp_path_factory):
    """The real sample's listing landed in a lake; each test loads it into a warehouse of its own."""
    with ReplayHub(real_store) as hub:
        session = CrawlSession.open(tmp_path_factory.mktemp("listed") / "lake", CrawlSpec(hub.url, "metadata"))
        run_model_listing(session, fast_client(hub.url))
    return session


def test_load_is_one_transaction(listed_session, tmp_path, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    real = load_mod.sql_statements

    def failing(name):
        return real(name) + ["SELECT error('disk full (simulated)')"]

    monkeypatch.setattr(load_mod, "sql_statements", failing)
    with pytest.raises(duckdb.Error, match="simulated"):
        load_crawl(warehouse, listed_session, {}, 1)
    assert query(tmp_path, "SELECT count(*) FROM models")[0][0] == 0
    assert query(tmp_path, "SELECT count(*) FROM crawls")[0][0] == 0
    monkeypatch.setattr(load_mod, "sql_statements", real)
    row = load_crawl(warehouse, listed_session, landed_requests(listed_session), 1)
    n = len(real_records())
    assert row["models_seen"] == n
    again = load_crawl(warehouse, listed_session, landed_requests(listed_session), 1)  # idempotent
    assert again == row
    assert query(tmp_path, "SELECT count(*), count(DISTINCT model_id) FROM models")[0] == (n, n)
    assert query(tmp_path, "SELECT count(*) FROM model_history")[0][0] == n


def test_adhoc_sql_is_read_only_and_sandboxed(listed_session, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    load_crawl(warehouse, listed_session, {}, 1)
    con = connect_readonly(warehouse)
    for stmt in (
        "DELETE FROM models",
        "CREATE TABLE x (a INT)",
        f"COPY models TO '{tmp_path}/leak.csv'",
        f"ATTACH '{tmp_path}/other.duckdb' AS o",
        "SET enable_external_access = true",
    ):
        with pytest.raises(duckdb.Error):
            con.execute(stmt)
    con.close()
    assert not (tmp_path / "leak.csv").exists()
    cols, rows = run_query(warehouse, "SELECT count(*) AS n FROM models")
    assert cols == ["n"] and rows == [(len(real_records()),)]
