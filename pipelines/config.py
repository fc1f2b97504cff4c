"""Every crawl and check default, every mode and every vocabulary, defined once.

The Dagster config classes, the CLI (its choices, defaults and help) and the library all read these, so a
default changes in one place and a mode nobody knows (`fetch_configs="al"`) fails with the list of valid ones.
A leaf module: it imports nothing of the project but pipelines.errors.
"""

from __future__ import annotations

import os
from typing import Literal, get_args

from pipelines.errors import ConfigError

CrawlMode = Literal["full", "metadata"]
"""full: listing + cards, commits, files, refs, configs, spaces; metadata: the listing only."""
HistoryMode = Literal["git", "api"]
"""How per-repo history is read: one blobless partial clone (git), or the REST API's commit pages (api)."""
HistoryChoice = Literal["auto", HistoryMode]
"""A history mode, or auto: git where a git >= 2.30 binary is on PATH, else api."""
FetchConfigs = Literal["all", "undeclared", "none"]
"""Which repos' config.json is read for lineage: every one, those declaring no base model, or none."""
OutputFormat = Literal["table", "csv", "json"]
"""How rows are printed (`hubmine sql --format`, reports)."""
BomFormat = Literal["cyclonedx", "spdx"]
"""An AI bill of materials: CycloneDX 1.6 ML-BOM (the default: first) or SPDX 3.0 with the AI profile."""
Relation = Literal["finetune", "adapter", "quantized", "merge", "unknown"]
"""How a model derives from a parent: the words of the card's `base_model_relation` and of the Hub's
`base_model:<relation>:<id>` tags; unknown where a base is declared without one."""
Scope = Literal["all", "real", "synthetic"]
"""Which models a page counts: all, only real ones, or only those of a synthetic hub (tagged `synthetic`)."""
RepoType = Literal["model", "dataset", "space"]
"""The kinds of Hub repository (`/api/models`, `/api/datasets`, `/api/spaces`)."""

CRAWL_MODES: tuple[str, ...] = get_args(CrawlMode)
HISTORY_MODES: tuple[str, ...] = get_args(HistoryMode)
FETCH_CONFIGS_MODES: tuple[str, ...] = get_args(FetchConfigs)
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)
BOM_FORMATS: tuple[str, ...] = get_args(BomFormat)
RELATIONS: tuple[Relation, ...] = get_args(Relation)
DECLARED_RELATIONS: tuple[Relation, ...] = RELATIONS[:-1]  # the relations a card or a tag can name
SCOPES: tuple[str, ...] = get_args(Scope)
SYNTHETIC_TAG = "synthetic"  # the tag every model of a synthetic hub carries

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_S = 30.0  # per HTTP request
PROBE_TIMEOUT_S = 5.0  # the one request that checks an endpoint before any work
MAX_RETRIES = 5  # retries of a failed call before its record is quarantined
BACKOFF_BASE_S = 1.0  # first wait before a retry; doubles each time (with jitter), or the hub's Retry-After
BACKOFF_CAP_S = 30.0  # longest wait between retries
CONCURRENCY = 8  # parallel per-repo requests
MAX_TREE_COMMITS = 50  # api history: files-changed diffs for at most this many newest commits per repo
FETCH_CONFIGS: FetchConfigs = "undeclared"
WEIGHTS_BUDGET_GB = 2.0  # checkpoint bytes a weight check reads at most
WEIGHTS_MAX_PAIRS = 200  # parent-child pairs a weight check judges at most
SPACES_CAP = 100  # the Hub names at most this many spaces per model in a listing (real records stop there)


def check_choice(setting: str, value: str, choices: tuple[str, ...]) -> str:
    """`value` when it is one of `choices`, else a ConfigError that lists them."""
    if value not in choices:
        raise ConfigError(setting, value, choices)
    return value


def normalize_endpoint(endpoint: str | None = None) -> str:
    """The hub URL without a trailing slash: `endpoint`, else $HF_ENDPOINT, else the public Hub."""
    return (endpoint or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")
