"""One synthetic model while its family is built, and the hub's calendar and parameter counts."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

HUB_START = datetime(2021, 3, 1, tzinfo=UTC)
HUB_END = datetime(2025, 10, 1, tzinfo=UTC)
SIZE_PARAMS = {"tiny": 39e6, "small": 60e6, "base": 110e6, "medium": 350e6, "large": 770e6, "XL": 2.6e9, "": 1e9}


def zdate(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def params_of(size: str) -> int:
    if size.endswith("B") and size[:-1].replace(".", "").isdigit():
        return int(float(size[:-1]) * 1e9)
    return int(SIZE_PARAMS.get(size, 1e9))


def date_after(rng: random.Random, parent: datetime) -> datetime:
    dt = parent + timedelta(days=rng.expovariate(1 / 70), seconds=rng.randrange(86400))
    return min(dt, HUB_END - timedelta(days=1))


def root_date(rng: random.Random) -> datetime:
    """Hub growth is roughly exponential: later dates are more likely."""
    span = (HUB_END - HUB_START).total_seconds()
    u = rng.random()
    return HUB_START + timedelta(seconds=span * (math.log1p(u * (math.e**2.5 - 1)) / 2.5))


@dataclass
class Node:
    """One model while its family is being built."""

    id: str
    author: str
    name: str
    stem: str
    size: str
    domain: str
    depth: int
    relation: str | None  # true relation to its parents (None for roots and isolates)
    parents: list[str]  # true parents
    variant: str
    convention: list[str]
    created: datetime
    license: str | None = None
    languages: list[str] = field(default_factory=list)
    pipeline: str = ""
    library: str | None = None
    datasets: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # what the card declares as base_model
    declared_as: dict[str, str] = field(default_factory=dict)  # true parent id -> the stale id the card writes
    declare_relation: bool = False
    evidence: str | None = None  # how an undeclared edge can still be inferred
    downloads: int = 0
    likes: int = 0
    spaces: list[str] = field(default_factory=list)
    card_kind: str = "handwritten"
    card_chars: int = 2000
    autotrain: bool = False
    co2: dict[str, Any] | None = None  # a CO2 report (usage.co2_fact)
    collaborative: bool = False
    team: list[str] = field(default_factory=list)
    checkpoint: bytes | None = None
    checkpoint_relation: str | None = None
    quant_format: str | None = None
    anomaly: str | None = None  # self_loop, cycle, orphan
    is_root: bool = False  # root of a family of two or more

    def written(self) -> list[str]:
        """The parent ids as the card writes them."""
        return [self.declared_as.get(p, p) for p in self.declared]
