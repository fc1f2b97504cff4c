"""What a new user meets first, before any crawl: wrong endpoints fail in seconds with one line and the fix, and
an unknown analysis name gets one line naming the valid ones."""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from pipelines.cli import main
from pipelines.cli.analyze import choose_analyses
from pipelines.definitions import ANALYSIS_ASSETS
from tests.helpers import free_port, one_error_line

HINTS = ("--endpoint", "HF_ENDPOINT", "hubmine hub serve")


class _HtmlPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        body = b"<!doctype html><html><body>a web page, not a hub</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def html_site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlPage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("kind", ["nothing listening", "no scheme", "html page"])
def test_a_wrong_endpoint_fails_in_seconds_with_one_line(kind, html_site, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(tmp_path))
    endpoint = {
        "nothing listening": f"http://127.0.0.1:{free_port()}",
        "no scheme": f"127.0.0.1:{free_port()}",
        "html page": html_site,
    }[kind]
    t0 = time.monotonic()
    assert main(["crawl", "--endpoint", endpoint, "--metadata-only", "--no-progress"]) == 1
    assert time.monotonic() - t0 < 10
    line = one_error_line(capsys)
    assert endpoint in line and all(h in line for h in HINTS)
    assert {
        "nothing listening": "does not answer",
        "no scheme": f"did you mean http://{endpoint}",
        "html page": "an HTML page",
    }[kind] in line
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_analyze_only_names_an_analysis_or_its_table(tmp_path, monkeypatch, capsys):
    assert [a.op.name for a in choose_analyses(ANALYSIS_ASSETS, ["family_stats", "lineage_issues"])] == [
        "lineage_families"
    ]
    monkeypatch.setenv("HUBMINE_HOME", str(tmp_path))
    assert main(["analyze", "--only", "family_statistics"]) == 2
    line = one_error_line(capsys)
    assert "'family_statistics'" in line and "family_stats" in line and "lineage_families" in line
