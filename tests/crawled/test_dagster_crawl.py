"""Crawls started through Dagster: one partition at a time stays partial until the last lands; the crawl_hub job
runs from the Dagster CLI as the README shows; progress reaches the run logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import yaml

from pipelines.crawl.session import SHARDS, shard_key
from pipelines.resources import HubmineHome, HubResource, ProgressResource
from pipelines.runner import CRAWL_ASSETS
from tests.helpers import ROOT, query, real_records

# These tests are about partitions and runs: 100 models of the real sample (every one of the 16 shards still gets
# repos), history through the REST API (the sample has no history to read; git mode has its own tests).
SCOPED = 100


def _materialize(home: Path, url: str, instance, limit: int | None = None, **kw) -> dg.ExecuteInProcessResult:
    resources = {
        "hub": HubResource(endpoint=url, timeout_s=5.0, max_retries=2),
        "home": HubmineHome(path=str(home)),
        "progress": ProgressResource(),
    }
    config = {"ops": {"hub_listing": {"config": {"history": "api", "limit": limit}}}}
    return dg.materialize(CRAWL_ASSETS, resources=resources, instance=instance, run_config=config, **kw)


def _crawls_metadata(result) -> dict:
    event = next(
        e
        for e in result.get_asset_materialization_events()
        if e.step_materialization_data.materialization.asset_key == dg.AssetKey("crawls")
    )
    return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}


def test_one_partition_is_not_a_finished_crawl_until_every_partition_lands(real_store, replay, tmp_path):
    hub = replay(real_store)
    instance = dg.DagsterInstance.ephemeral()
    first = _materialize(tmp_path, hub.url, instance, limit=SCOPED, partition_key="03")
    assert first.success
    status, missing, loaded = query(tmp_path, "SELECT status, missing, (SELECT count(*) FROM models) FROM crawls")[0]
    assert status == "partial" and loaded == 0
    assert missing == [f"repo_details[{shard_key(s)}]" for s in range(SHARDS) if s != 3]
    meta = _crawls_metadata(first)
    assert meta["status"] == "partial" and meta["missing_partitions"] == SHARDS - 1
    logs = [e.user_message for e in instance.all_logs(first.run_id)]
    assert any(m.startswith("repos: started") for m in logs) and any("is partial, not loaded" in m for m in logs)

    rest = _materialize(
        tmp_path,
        hub.url,
        instance,
        limit=SCOPED,
        tags={
            "dagster/asset_partition_range_start": shard_key(0),
            "dagster/asset_partition_range_end": shard_key(SHARDS - 1),
        },
    )
    assert rest.success and _crawls_metadata(rest)["status"] == "finished"
    assert any(m.startswith("resuming crawl") for m in (e.user_message for e in instance.all_logs(rest.run_id)))
    row = query(tmp_path, "SELECT status, missing, runs, models_seen, repos_fetched FROM crawls")
    assert row == [("finished", None, 2, SCOPED, SCOPED)]
    assert query(tmp_path, "SELECT count(*) FROM models")[0][0] == SCOPED


def test_crawl_hub_job_runs_from_the_dagster_cli(real_store, replay, tmp_path):
    """`dagster job execute -m pipelines.definitions -j crawl_hub` (README): a whole crawl in one run."""
    hub = replay(real_store)
    env = {
        **os.environ,
        "HUBMINE_HOME": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "HF_ENDPOINT": hub.url,
    }
    (tmp_path / "dagster").mkdir()
    (tmp_path / "dagster" / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    dagster = Path(sys.executable).with_name("dagster")
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"ops": {"hub_listing": {"config": {"history": "api", "limit": SCOPED}}}}))
    run = subprocess.run(
        [str(dagster), "job", "execute", "-m", "pipelines.definitions", "-j", "crawl_hub", "-c", str(config)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,  # a bound for a hang: a step process per asset, each loading the definitions, on a busy machine
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "RUN_SUCCESS" in run.stderr and "repos: started" in run.stderr
    n = SCOPED  # the spaces listing is not limited: every space a real model names
    spaces = len({s for r in real_records() for s in r.get("spaces") or []})
    assert query(tmp_path, "SELECT status, models_seen, repos_fetched, spaces_seen FROM crawls") == [
        ("finished", n, n, spaces)
    ]


def test_progress_resource_carries_a_front_end_display_into_the_run(real_store, replay, tmp_path, monkeypatch):
    from pipelines.crawl.progress import Progress
    from pipelines.runner import materialize_crawl

    class Recorder(Progress):
        def __init__(self):
            self.advanced: dict[str, int] = {}

        def advance(self, name: str, n: int = 1, **info) -> None:
            self.advanced[name] = self.advanced.get(name, 0) + n

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    recorder = Recorder()
    materialize_crawl(tmp_path, HubResource(endpoint=replay(real_store).url), mode="metadata", progress=recorder)
    assert sum(recorder.advanced.values()) >= query(tmp_path, "SELECT count(*) FROM models")[0][0] > 0
