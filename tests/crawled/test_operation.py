"""What a new user meets over a crawled hub: lineage findings and `hubmine family` (letter case, suggestions, cycles),
Ctrl-C says how to resume, progress shows while a crawl runs (wrong endpoints: unit/test_operation)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.replay.store import open_snapshots
from tests.helpers import REAL_SAMPLE, crawl_into, free_port, one_error_line, query, real_records


@pytest.fixture
def cycle_home(replay, tmp_path):
    """A crawled hub of three synthetic models: test/a and test/b name each other as base, test/c merges both."""
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
