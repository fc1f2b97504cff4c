"""What a new user meets first: wrong endpoints fail in seconds with one line and the fix, ordinary mistakes get
one line instead of a traceback, Ctrl-C says how to resume, progress shows while a crawl runs."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.conftest import free_port, query, real_records

ROOT = Path(__file__).resolve().parent.parent
HINTS = ("--endpoint", "HF_ENDPOINT", "hubmine hub serve")


def one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hubmine: error: "), lines
    assert "Traceback" not in out + err
    return lines[0]


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
    from pipelines.cli_analyses import choose_analyses
    from pipelines.definitions import ANALYSIS_ASSETS

    assert [a.op.name for a in choose_analyses(ANALYSIS_ASSETS, ["family_stats", "lineage_issues"])] == [
        "lineage_families"
    ]
    monkeypatch.setenv("HUBMINE_HOME", str(tmp_path))
    assert main(["analyze", "--only", "family_statistics"]) == 2
    line = one_error_line(capsys)
    assert "'family_statistics'" in line and "family_stats" in line and "lineage_families" in line


@pytest.fixture
def cycle_home(replay, tmp_path):
    """A crawled hub of three synthetic models: test/a and test/b name each other as base, test/c merges both."""
    import json

    from pipelines.replay.store import open_snapshots
    from tests.conftest import crawl_into

    snap = tmp_path / "snap"
    snap.mkdir()
    bases = {"test/a": ["test/b"], "test/b": ["test/a"], "test/c": ["test/a", "test/b"]}
    with open(snap / "models.jsonl", "w") as fh:
        for i, (mid, parents) in enumerate(bases.items()):
            fh.write(
                json.dumps(
                    {
                        "_id": f"{i:024x}",
                        "id": mid,
                        "author": "test",
                        "sha": f"{i:040x}",
                        "tags": ["synthetic"],
                        "cardData": {"base_model": parents},
                    }
                )
                + "\n"
            )
    hub = replay(open_snapshots([snap], tmp_path / "store"))
    crawl_into(tmp_path / "home", hub.url, mode="metadata")
    return tmp_path / "home"


def test_analyze_reports_lineage_findings_and_exits_zero(cycle_home, monkeypatch, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(cycle_home))
    assert main(["analyze", "--only", "lineage_families"]) == 0
    out = capsys.readouterr().out
    assert "the hub has 1 lineage cycles (2 edges)  [no_lineage_cycles, error]" in out
    assert "checks passed: no_self_loops" in out and "FAILED" not in out


def test_family_ignores_letter_case_suggests_and_names_cycles(analysed_real, cycle_home, monkeypatch, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(analysed_real.home))
    assert main(["family", "META-LLAMA/llama-2-7B"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "meta-llama/Llama-2-7b" and "not case-sensitive" in err
    assert main(["family", "meta-llama/Llama-2-7c"]) == 1
    assert "did you mean meta-llama/Llama-2-7b" in one_error_line(capsys)
    monkeypatch.setenv("HUBMINE_HOME", str(cycle_home))
    assert main(["family", "test/a"]) == 0
    tree = capsys.readouterr().out.split("descendants")[1].split("license findings")[0].splitlines()[1:]
    assert tree == [
        "  ├── test/b  [unknown]",
        "  │   ├── test/a  [unknown]  (lineage cycle: back to a model above; see lineage_issues)",
        "  │   └── test/c  [merge]",
        "  └── test/c  [merge] (merge, shown above)",
    ], tree


def _hub(snapshot: Path, workdir: Path, port: int, *faults: str) -> subprocess.Popen:
    """`hubmine hub serve` in its own process (with faults: every other request stalls, so a crawl is slow)."""
    hub = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "hub",
            "serve",
            "--snapshot",
            str(snapshot),
            "--workdir",
            str(workdir),
            "--port",
            str(port),
            *faults,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert " at http://" in hub.stdout.readline()
    return hub


def test_ctrl_c_says_how_to_resume_and_progress_shows_live(tmp_path):
    from tests.conftest import REAL_SAMPLE

    port = free_port()
    hub = _hub(REAL_SAMPLE, tmp_path / "store1", port, "--faults", "timeout=1", "--stall", "2")  # every request 2 s
    env = {**os.environ, "HUBMINE_HOME": str(tmp_path / "data")}
    cmd = [
        sys.executable,
        "-m",
        "pipelines.cli",
        "crawl",
        "--endpoint",
        f"http://127.0.0.1:{port}",
        "--metadata-only",
        "--no-progress",
    ]
    try:
        crawl = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
        seen = []
        for line in crawl.stderr:  # progress lines arrive while the crawl runs, not when it ends
            seen.append(line)
            if line.split(" ", 1)[-1].startswith("listing: started"):
                break
        os.killpg(crawl.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground process group
        rest = crawl.stderr.read()
        assert crawl.wait(60) == 130, rest
        assert (
            "Traceback" not in rest
            and rest.strip().splitlines()[-1] == "hubmine: interrupted; run the same command to resume"
        ), rest
        hub.terminate()
        hub.wait(10)
        hub = _hub(REAL_SAMPLE, tmp_path / "store2", port)  # the same hub, now answering at full speed
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr[-2000:]
        assert again.stderr.startswith("resuming crawl ") and "listing not finished" in again.stderr
        assert query(tmp_path / "data", "SELECT status, runs, models_seen FROM crawls") == [
            ("finished", 2, len(real_records()))
        ]
    finally:
        hub.terminate()
        hub.wait(10)
