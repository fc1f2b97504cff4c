"""The `hubmine` command line: help for every verb, clear errors (the crawl through Dagster: crawled/test_cli_crawl)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipelines.cli import build_parser, main

VERBS = [
    "demo",
    "crawl",
    "sql",
    "hub",
    "analyze",
    "family",
    "names",
    "bn",
    "card",
    "weights",
    "dashboards",
    "serve",
    "bom",
    "changes",
]


def test_help_lists_every_verb_and_each_has_help():
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for verb in VERBS:
        assert f"    {verb} " in out
    for argv in (
        ["demo"],
        ["crawl"],
        ["sql"],
        ["hub", "serve"],
        ["hub", "synth"],
        ["hub", "evolve"],
        ["analyze"],
        ["family"],
        ["names"],
        ["bn", "query"],
        ["card"],
        ["weights", "diff"],
        ["weights", "check"],
        ["dashboards"],
        ["serve"],
        ["bom"],
        ["changes"],
    ):
        with pytest.raises(SystemExit) as e:
            build_parser().parse_args([*argv, "--help"])
        assert e.value.code == 0


def test_errors_are_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(tmp_path))
    assert main(["sql", "select 1"]) == 1
    assert "no warehouse" in capsys.readouterr().err
    assert (
        main(
            [
                "crawl",
                "--endpoint",
                "http://127.0.0.1:9",
                "--metadata-only",
                "--no-progress",
                "--max-retries",
                "0",
                "--timeout",
                "2",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "hubmine: error: the hub at http://127.0.0.1:9 does not answer" in err and "Traceback" not in err
    for argv, hint in (
        (["family", "a/b"], "run `hubmine crawl`"),
        (["analyze"], "run `hubmine crawl`"),
        (["names", str(tmp_path / "ids.txt")], "No such file or directory"),
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("hubmine: error: ") and hint in err, (argv, err)


def test_hub_synth_refuses_to_overwrite(tmp_path, capsys):
    assert main(["hub", "synth", "--models", "120", "--seed", "2", "--out", str(tmp_path / "h")]) == 0
    assert "120 models" in capsys.readouterr().out
    assert (tmp_path / "h" / "truth" / "edges.parquet").exists()
    assert main(["hub", "synth", "--models", "120", "--out", str(tmp_path / "h")]) == 2
