"""License drift along lineage: parent -> child transition matrices (of licenses and of categories) and
violations of upstream terms found by an explicit rule table (data/license_rules.csv).

Rules are tried in file order and the first match decides; `allowed` rules stop the search silently.
A selector is `*`, `=` (downstream only: same license as upstream), `cat:<category>` or a license id,
several joined by `|`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from pipelines.errors import HubmineError

RULES = Path(__file__).parent / "data" / "license_rules.csv"
SEVERITIES = ("violation", "warning", "review", "allowed")


@dataclass(frozen=True)
class Rule:
    rule_id: str
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]
    severity: str
    reason: str


class RuleError(HubmineError, ValueError):
    """A row of a rule table is malformed."""


def load_rules(path: Path = RULES) -> list[Rule]:
    rules = []
    with open(path, newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            if row["severity"] not in SEVERITIES:
                raise RuleError(f"{path}:{i}: severity {row['severity']!r} is not one of {', '.join(SEVERITIES)}")
            rules.append(Rule(row["rule_id"], tuple(row["upstream"].split("|")), tuple(row["downstream"].split("|")),
                              row["severity"], row["reason"]))
    return rules


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def _matches(selectors: tuple[str, ...], license_id: str, category: str, upstream_id: str | None = None) -> bool:
    for s in selectors:
        if s == "*" or s == license_id or (s.startswith("cat:") and s[4:] == category) \
                or (s == "=" and upstream_id is not None and license_id == upstream_id):
            return True
    return False


def judge(parent: tuple[str, str], child: tuple[str, str], rules=None) -> Rule | None:
    """The first rule matching a parent (license_id, category) -> child (license_id, category) pair."""
    for rule in rules or default_rules():
        if _matches(rule.upstream, *parent) and _matches(rule.downstream, *child, upstream_id=parent[0]):
            return rule
    return None


def license_pairs(edges: pl.DataFrame, traits: pl.DataFrame) -> pl.DataFrame:
    """Declared edges with both ends in the warehouse, with each side's license and category."""
    lic = traits.select("model_id", pl.col("license").fill_null("unknown"), "license_category")
    return (edges.filter(pl.col("child_id") != pl.col("parent_id"))
            .join(lic.rename({"model_id": "parent_id", "license": "parent_license", "license_category": "parent_category"}),
                  on="parent_id")
            .join(lic.rename({"model_id": "child_id", "license": "child_license", "license_category": "child_category"}),
                  on="child_id"))


def transitions(pairs: pl.DataFrame) -> pl.DataFrame:
    """Transition counts and shares at both levels (license and category)."""
    frames = []
    for level, p, c in (("license", "parent_license", "child_license"), ("category", "parent_category", "child_category")):
        t = (pairs.group_by(p, c).len("edges")
             .with_columns((pl.col("edges") / pl.col("edges").sum().over(p)).alias("share"))
             .select(pl.lit(level).alias("level"), pl.col(p).alias("parent_value"), pl.col(c).alias("child_value"),
                     pl.col("edges").cast(pl.Int64), "share",
                     (pl.col(p) != pl.col(c)).alias("changed")))
        frames.append(t)
    return pl.concat(frames).sort("level", "edges", "parent_value", "child_value", descending=[False, True, False, False])


def violations(pairs: pl.DataFrame, rules=None) -> pl.DataFrame:
    rows = []
    cols = ("child_id", "parent_id", "relation", "parent_license", "child_license", "parent_category", "child_category")
    for child, parent, rel, pl_, cl, pc, cc in pairs.select(cols).iter_rows():
        rule = judge((pl_, pc), (cl, cc), rules)
        if rule is not None and rule.severity != "allowed":
            rows.append((child, parent, rel, pl_, cl, pc, cc, rule.rule_id, rule.severity, rule.reason))
    schema = {c: pl.String for c in (*cols, "rule_id", "severity", "reason")}
    return pl.DataFrame(rows, schema=schema, orient="row").sort("severity", "parent_license", "child_id")
