"""`hubmine crawl` through Dagster over the real sample, and `hubmine sql` reading what it landed."""

from __future__ import annotations

import math

import dagster as dg

from pipelines.cli import main
from tests.helpers import real_records


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
