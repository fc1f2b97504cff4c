"""Security as tests over crawled hubs: the HF token never reaches output, logs, the warehouse, the lake,
Dagster's storage or the dashboards; ad-hoc SQL cannot write (git's use of the token: unit/test_security)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from pipelines.crawl.client import HubClient
from tests.helpers import SECRET, hubmine, query, real_records
from warehouse.query import run_query


def hm(*args, home: Path):
    """`hubmine ARGS` with the token in its environment."""
    env = {"HUBMINE_HOME": str(home), "HF_HUB_DISABLE_TELEMETRY": "1", "HF_TOKEN": SECRET}
    return hubmine(*args, env=env, timeout=600)


def test_token_is_never_printed_logged_or_stored(real_store, replay, tmp_path):
    hub = replay(real_store)
    home = tmp_path / "home"
    # a scoped crawl: the token also goes out with the lookups of parents outside the scope
    outputs = [
        hm("-v", "crawl", "--endpoint", hub.url, "--no-progress", "--limit", "100", home=home),
        hm("-v", "analyze", home=home),
        hm("dashboards", home=home),
        hm("sql", "SELECT * FROM crawls", home=home),
        hm("hub", "serve", "--help", home=home),
    ]
    for out in outputs[:4]:
        assert out.returncode == 0, out.stderr[-2000:]
    assert query(home, "SELECT alias_requests FROM crawls")[0][0] > 0  # the lookups went out
    for out in outputs:
        assert SECRET not in out.stdout and SECRET not in out.stderr
    files = [p for p in home.rglob("*") if p.is_file()]
    assert len(files) > 20 and any(p.name == "warehouse.duckdb" for p in files)
    needle = SECRET.encode()
    for p in files:
        assert needle not in p.read_bytes(), f"the token is stored in {p.relative_to(home)}"
    os.environ["HF_TOKEN"] = SECRET
    try:
        client = HubClient(hub.url)
        assert client.api.token == SECRET  # it is used ...
        assert SECRET not in repr(client) and SECRET not in str(vars(client).get("endpoint"))  # ... never shown
    finally:
        del os.environ["HF_TOKEN"]


def test_adhoc_sql_cannot_write_or_read_files(analysed_real):
    wh = analysed_real.home / "warehouse.duckdb"
    for sql in (
        "DELETE FROM models",
        "CREATE TABLE x AS SELECT 1",
        "COPY models TO '/tmp/hubmine-leak.csv'",
        "ATTACH '/tmp/other.duckdb' AS o",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SET enable_external_access = true",
    ):
        with pytest.raises(duckdb.Error):
            run_query(wh, sql)
    assert run_query(wh, "SELECT count(*) FROM models")[1][0][0] == len(real_records())
    assert not Path("/tmp/hubmine-leak.csv").exists()
