"""Dagster resources: where the data lives and how to reach the hub.

The HF token is deliberately not a config field: it is read from HF_TOKEN when the client is built,
so it never lands in run config, event logs or the warehouse.
"""

from pathlib import Path

import dagster as dg

from pipelines import config
from pipelines.crawl.client import HubClient
from pipelines.crawl.progress import LogProgress, Progress
from pipelines.crawl.retry import RetryPolicy
from warehouse.paths import data_dir, lake_dir, warehouse_path


class HubmineHome(dg.ConfigurableResource):
    """The data dir (warehouse.duckdb, lake/, dashboards/); $HUBMINE_HOME or ./data when unset."""

    path: str | None = None

    @property
    def home(self) -> Path:
        return Path(self.path).resolve() if self.path else data_dir()

    @property
    def warehouse(self) -> Path:
        return warehouse_path(self.home)

    @property
    def lake(self) -> Path:
        return lake_dir(self.home)


class HubResource(dg.ConfigurableResource):
    """A hub endpoint reached through huggingface_hub (HF_ENDPOINT or https://huggingface.co by default)."""

    endpoint: str | None = None
    timeout_s: float = config.TIMEOUT_S
    max_retries: int = config.MAX_RETRIES
    concurrency: int = config.CONCURRENCY

    @property
    def resolved_endpoint(self) -> str:
        return config.normalize_endpoint(self.endpoint)

    def client(self) -> HubClient:
        return HubClient(
            self.resolved_endpoint,
            timeout_s=self.timeout_s,
            concurrency=self.concurrency,
            retry=RetryPolicy(max_retries=self.max_retries),
        )


class ProgressResource:
    """Where a crawl's progress goes: the run's log, or a display a front-end running the assets in-process
    passes in (the CLI's bars). A plain object resource: assets take it as `dg.ResourceParam[ProgressResource]`."""

    def __init__(self, display: Progress | None = None):
        self.display = display

    def for_run(self, context: dg.AssetExecutionContext) -> Progress:
        return self.display or LogProgress(context.log)
