"""Security as tests: the HF token never reaches output, logs, the warehouse, the lake, Dagster's storage or
the dashboards; ad-hoc SQL cannot write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipelines.crawl.client import HubClient
from tests.conftest import real_records
from warehouse.query import run_query

SECRET = "hf_hubmineTESTsecret0123456789abcdef"


def hm(*args, home: Path, token: str | None = SECRET):
    env = {"PATH": "/usr/bin:/bin", "HUBMINE_HOME": str(home), "HF_HUB_DISABLE_TELEMETRY": "1"}
    if token:
        env["HF_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args], env=env, capture_output=True, text=True, timeout=600
    )


def test_token_is_never_printed_logged_or_stored(real_store, replay, tmp_path):
    hub = replay(real_store)
    home = tmp_path / "home"
    # a scoped crawl: the token also goes out with the lookups of parents outside the scope
    outputs = [
        hm("-v", "crawl", "--endpoint", hub.url, "--no-progress", "--limit", "400", home=home),
        hm("-v", "analyze", home=home),
        hm("dashboards", home=home),
        hm("sql", "SELECT * FROM crawls", home=home),
        hm("hub", "serve", "--help", home=home),
    ]
    for out in outputs[:4]:
        assert out.returncode == 0, out.stderr[-2000:]
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


def test_git_sends_the_token_in_a_header_never_in_a_url_command_line_or_error(tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from pipelines.crawl.client import RequestCounter
    from pipelines.crawl.gitremote import GitFailed, GitRemote

    seen, cmdlines = [], []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Authorization")))
            for proc in Path("/proc").glob("[0-9]*/cmdline"):  # the git processes serving this request are alive now
                try:
                    cmdlines.append(proc.read_bytes())
                except OSError:
                    pass
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        counter = RequestCounter()
        remote = GitRemote(f"http://127.0.0.1:{server.server_address[1]}", SECRET, counter, max_retries=0)
        with pytest.raises(GitFailed) as failed:
            remote.clone("org/model", tmp_path / "clone")
    finally:
        server.shutdown()
        server.server_close()
    assert seen and all(auth == f"Bearer {SECRET}" for _, auth in seen)  # it is used ...
    assert all(SECRET not in path for path, _ in seen) and SECRET not in repr(remote)
    assert "not found" in str(failed.value) and SECRET not in str(failed.value) and not failed.value.transient
    assert cmdlines and not any(SECRET.encode() in c for c in cmdlines)
    assert counter.snapshot()["git"] == len(seen)
