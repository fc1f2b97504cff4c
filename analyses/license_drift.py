"""License drift along lineage: transition matrices, violations derived from the license knowledge base, and
how much of the lineage the knowledge base can judge.

A rule (data/license_rules.csv) names an obligation column of the knowledge base (data/licenses.csv) and the
downstream situation it fires on, for an upstream license that has that obligation:
- `any`: every derivative (no-derivatives);
- `lacks`: the derivative's license has no clause for the obligation: it drops it;
- `other-terms`: the derivative's license has such a clause but is another license, not one the upstream names
  as compatible: its terms replace the upstream's;
- `none` / `unresolved` (obligation `*`): the derivative declares no license, or one the knowledge base does not
  know; once per edge, naming every obligation the upstream passes on.
Nothing fires when the derivative keeps the upstream license (except `any`) or when the upstream's terms are
unknown; license_coverage counts those edges instead. Every finding names the clause and the license text.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from analyses.licenses import OBLIGATIONS, License, resolve, terms_of
from pipelines.errors import RuleError

RULES = Path(__file__).parent / "data" / "license_rules.csv"
SEVERITIES = ("violation", "warning", "review")
DOWNSTREAM = ("any", "lacks", "other-terms", "none", "unresolved")
LICENSE_COLUMNS = {
    "model_id": pl.String,
    "license": pl.String,
    "spdx": pl.String,
    "category": pl.String,
    "resolution": pl.String,
    "resolved": pl.Boolean,
}
VIOLATION_COLUMNS = (
    "child_id",
    "parent_id",
    "declared_parent_id",
    "relation",
    "parent_license",
    "child_license",
    "parent_category",
    "child_category",
    "rule_id",
    "obligation",
    "severity",
    "clause",
    "source_url",
    "reason",
)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    obligation: str  # a knowledge-base obligation column, or `*` (every obligation the upstream passes on)
    downstream: str  # one of DOWNSTREAM
    severity: str
    reason: str


def load_rules(path: Path = RULES) -> list[Rule]:
    rules = []
    with open(path, newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            rule = Rule(row["rule_id"], row["obligation"], row["downstream"], row["severity"], row["reason"])
            if rule.severity not in SEVERITIES:
                raise RuleError(path, i, f"severity {rule.severity!r} is not one of {', '.join(SEVERITIES)}")
            if rule.downstream not in DOWNSTREAM or rule.obligation not in (*OBLIGATIONS, "*"):
                raise RuleError(path, i, f"downstream {rule.downstream!r} or obligation {rule.obligation!r} unknown")
            if (rule.obligation == "*") != (rule.downstream in ("none", "unresolved")):
                raise RuleError(path, i, "obligation `*` goes with downstream none or unresolved, and only there")
            rules.append(rule)
    return rules


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return tuple(load_rules())


def passed_on(rules) -> set[str]:
    """Obligations the rules carry downstream (attribution, kept under any license, is not one of them)."""
    return {r.obligation for r in rules if r.obligation != "*"}


def judge(parent: License, child: License, rules=None) -> list[tuple[Rule, str, str]]:
    """(rule, clause, source URL) of every finding on one parent -> child edge."""
    rules = rules or default_rules()
    up = terms_of(parent.license_id) if parent.resolved else None
    carried = [(o, c) for o, c in up.obligations if o in passed_on(rules)] if up else []
    if up is None or not carried:
        return []
    if not child.resolved:
        situation = "none" if child.resolution in ("none", "unknown") else "unresolved"
        clauses = "; ".join(c for _, c in carried)
        return [(r, clauses, up.source_url) for r in rules if r.obligation == "*" and r.downstream == situation]
    down = terms_of(child.license_id)
    kept = child.license_id == parent.license_id or child.license_id in up.compatible_with
    out = []
    for r in rules:
        clause = up.clause(r.obligation) if r.obligation != "*" else None
        if clause is None:
            continue
        has = down is not None and down.clause(r.obligation) is not None
        fires = r.downstream == "any" or (not kept and r.downstream == ("other-terms" if has else "lacks"))
        if fires:
            out.append((r, clause, up.source_url))
    return out


# -- frames ---------------------------------------------------------------------------------------------
def resolve_frame(declared: pl.DataFrame) -> pl.DataFrame:
    """model_id, license_raw, license_name, license_link -> each model's license as the knowledge base sees it."""
    rows = []
    for mid, raw, name, link in declared.select("model_id", "license_raw", "license_name", "license_link").iter_rows():
        lic = resolve(raw, name, link)
        rows.append((mid, lic.license_id or "unknown", lic.spdx, lic.category, lic.resolution, lic.resolved))
    return pl.DataFrame(rows, schema=LICENSE_COLUMNS, orient="row")


def _license(row: dict, side: str) -> License:
    return License(row[f"{side}_license"], row[f"{side}_spdx"], row[f"{side}_category"], row[f"{side}_resolution"])


def license_pairs(edges: pl.DataFrame, lic: pl.DataFrame) -> pl.DataFrame:
    """Declared edges with both ends in the warehouse, with each side's resolved license."""
    cols = [c for c in LICENSE_COLUMNS if c != "model_id"]
    keep = [c for c in ("declared_parent_id",) if c in edges.columns]
    side = {s: lic.rename({"model_id": f"{s}_id", **{c: f"{s}_{c}" for c in cols}}) for s in ("parent", "child")}
    return (
        edges.filter(pl.col("child_id") != pl.col("parent_id"))
        .select("child_id", "parent_id", "relation", *keep)
        .join(side["parent"], on="parent_id")
        .join(side["child"], on="child_id")
    )


def transitions(pairs: pl.DataFrame) -> pl.DataFrame:
    """Transition counts and shares at both levels (license and category)."""
    frames = []
    for level, p, c in (
        ("license", "parent_license", "child_license"),
        ("category", "parent_category", "child_category"),
    ):
        t = (
            pairs.group_by(p, c)
            .len("edges")
            .with_columns((pl.col("edges") / pl.col("edges").sum().over(p)).alias("share"))
            .select(
                pl.lit(level).alias("level"),
                pl.col(p).alias("parent_value"),
                pl.col(c).alias("child_value"),
                pl.col("edges").cast(pl.Int64),
                "share",
                (pl.col(p) != pl.col(c)).alias("changed"),
            )
        )
        frames.append(t)
    return pl.concat(frames).sort(
        "level", "edges", "parent_value", "child_value", descending=[False, True, False, False]
    )


def violations(pairs: pl.DataFrame, rules=None) -> pl.DataFrame:
    """One row per finding: the edge, both licenses, the rule, the obligation, the clause and its source."""
    rows = []
    for row in pairs.iter_rows(named=True):
        for rule, clause, url in judge(_license(row, "parent"), _license(row, "child"), rules):
            rows.append(
                (
                    row["child_id"],
                    row["parent_id"],
                    row.get("declared_parent_id") or row["parent_id"],
                    row["relation"],
                    row["parent_license"],
                    row["child_license"],
                    row["parent_category"],
                    row["child_category"],
                    rule.rule_id,
                    rule.obligation,
                    rule.severity,
                    clause,
                    url,
                    rule.reason,
                )
            )
    schema = dict.fromkeys(VIOLATION_COLUMNS, pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row").sort("severity", "rule_id", "parent_license", "child_id")


def coverage(lic: pl.DataFrame, edges: pl.DataFrame) -> pl.DataFrame:
    """How many models, and how many declared edges (by parent, by child, by either end), fall on a license whose
    terms the knowledge base does not know; edges whose parent is not crawled have no parent license at all."""
    lic = lic.select("model_id", "resolution", "resolved")
    e = (
        edges.filter(pl.col("child_id") != pl.col("parent_id"))
        .select("child_id", "parent_id")
        .join(
            lic.rename({"model_id": "parent_id", "resolution": "p_res", "resolved": "p_ok"}), on="parent_id", how="left"
        )
        .join(
            lic.rename({"model_id": "child_id", "resolution": "c_res", "resolved": "c_ok"}), on="child_id", how="left"
        )
        .with_columns(pl.col("p_res").fill_null("not-crawled"), pl.col("p_ok").fill_null(False))
    )
    parts = [
        _counts(lic, "models", None, "resolution", "resolved"),
        _counts(e, "edges", "parent", "p_res", "p_ok"),
        _counts(e, "edges", "child", "c_res", "c_ok"),
        _counts(
            e.with_columns(
                (pl.col("p_ok") & pl.col("c_ok")).alias("ok"),
                pl.when(pl.col("p_ok") & pl.col("c_ok"))
                .then(pl.lit("both-resolved"))
                .otherwise(pl.lit("unresolved"))
                .alias("res"),
            ),
            "edges",
            "either",
            "res",
            "ok",
        ),
    ]
    return pl.concat(parts).sort("scope", "side", "items", descending=[True, False, True], nulls_last=True)


def _counts(frame: pl.DataFrame, scope: str, side: str | None, res: str, ok: str) -> pl.DataFrame:
    total = frame.height
    return (
        frame.group_by(pl.col(res).alias("resolution"), pl.col(ok).alias("resolved"))
        .len("items")
        .select(
            pl.lit(scope).alias("scope"),
            pl.lit(side, dtype=pl.String).alias("side"),
            "resolution",
            "resolved",
            pl.col("items").cast(pl.Int64),
            (pl.col("items") / total if total else pl.lit(None, dtype=pl.Float64)).alias("share"),
        )
    )
