"""Defaults and modes are defined once (pipelines/config.py) and an unknown mode fails with the valid ones."""

from __future__ import annotations

import pydantic
import pytest

from pipelines import config
from pipelines.assets.crawl import CrawlConfig, RepoConfig
from pipelines.assets.weights import WeightSampleConfig
from pipelines.cli import build_parser
from pipelines.crawl.client import HubClient
from pipelines.crawl.repos import RepoOptions
from pipelines.crawl.session import CrawlSpec
from pipelines.resources import HubResource


def test_dagster_config_cli_and_library_share_the_defaults():
    args = build_parser().parse_args(["crawl"])
    repo, opts, hub = RepoConfig(), RepoOptions(), HubResource()
    assert args.fetch_configs == repo.fetch_configs == opts.fetch_configs == config.FETCH_CONFIGS
    assert args.max_tree_commits == repo.max_tree_commits == opts.max_tree_commits == config.MAX_TREE_COMMITS
    assert (args.timeout, args.max_retries, args.concurrency) == (hub.timeout_s, hub.max_retries, hub.concurrency)
    assert (hub.timeout_s, hub.max_retries, hub.concurrency) == (
        config.TIMEOUT_S,
        config.MAX_RETRIES,
        config.CONCURRENCY,
    )
    check = build_parser().parse_args(["weights", "check"])
    assert (check.budget_gb, check.max_pairs) == (WeightSampleConfig().budget_gb, WeightSampleConfig().max_pairs)
    assert CrawlConfig().mode == "full" and CrawlConfig().history == "auto"


@pytest.mark.parametrize(
    "make",
    [lambda: RepoConfig(fetch_configs="al"), lambda: CrawlConfig(mode="ful"), lambda: CrawlConfig(history="gti")],
)
def test_dagster_config_rejects_an_unknown_mode(make):
    with pytest.raises(pydantic.ValidationError, match="Input should be"):
        make()


def test_library_rejects_an_unknown_mode_naming_the_valid_ones():
    with pytest.raises(config.ConfigError, match="fetch_configs must be one of all, undeclared, none, not 'al'"):
        RepoOptions(fetch_configs="al")
    with pytest.raises(config.ConfigError, match="mode must be one of full, metadata"):
        CrawlSpec("http://127.0.0.1:1", mode="ful")


def test_cli_rejects_an_unknown_mode(capsys):
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["crawl", "--fetch-configs", "al"])
    assert e.value.code == 2 and "invalid choice: 'al'" in capsys.readouterr().err


def test_one_endpoint_normaliser(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9/")
    assert config.normalize_endpoint() == HubResource().resolved_endpoint == "http://127.0.0.1:9"
    assert config.normalize_endpoint("http://127.0.0.1:8/") == HubClient("http://127.0.0.1:8/").endpoint
    monkeypatch.delenv("HF_ENDPOINT")
    assert config.normalize_endpoint() == config.DEFAULT_ENDPOINT
