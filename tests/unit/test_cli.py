"""The `hubmine` command line: help for every verb, a crawl through Dagster, SQL output, clear errors."""

from __future__ import annotations

import math
import subprocess
import sys

import dagster as dg
import pytest

from pipelines.cli import build_parser, main
from tests.conftest import real_records

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


def test_crawl_command_materializes_assets_and_sql_reads_them(real_store, replay, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUBMINE_HOME", str(tmp_path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    hub = replay(real_store)
    assert main(["crawl", "--endpoint", hub.url, "--metadata-only", "--no-progress"]) == 0
    out = capsys.readouterr().out
    n = len(real_records())
    assert f"{n} models" in out and f"{math.ceil(n / 1000)} api" in out
    instance = dg.DagsterInstance.get()
    for key in ("hub_listing", "models", "lineage_edges", "crawls"):
        assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None, key
    event = instance.get_latest_materialization_event(dg.AssetKey("models"))
    assert event.asset_materialization.metadata["rows"].value == n
    llama2 = sum(1 for r in real_records() if (r.get("cardData") or {}).get("license") == "llama2")
    assert main(["sql", "--format", "csv", "select count(*) as n from models where license = 'llama2'"]) == 0
    assert capsys.readouterr().out == f"n\n{llama2}\n" and llama2 > 0
    assert main(["sql", "--format", "json", "select model_id from models order by model_id limit 1"]) == 0
    first = min(r["id"] for r in real_records())
    assert f'"model_id": "{first}"' in capsys.readouterr().out


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
