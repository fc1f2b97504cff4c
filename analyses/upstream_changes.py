"""What changed upstream between two crawls, and which descendants each change reaches.

A model whose license, gating, declared base models, card or sha changed is one row, with every model below it in
the warehouse through resolved declared lineage. For a license change each descendant's current license is judged
against the new upstream license with the knowledge base's rules (analyses/license_drift.py); findings the old
license did not raise make the change as severe as the worst of them, so a license turned restrictive upstream of
permissively licensed descendants (`non-commercial-dropped`, `use-restrictions-dropped`, ...) comes first.
Other changes: `review` for a license, gating or base-model change with no new finding, `notice` for a card or sha.
"""

from __future__ import annotations

import networkx as nx
import polars as pl

from analyses.license_drift import judge, resolve_frame
from analyses.licenses import License, resolve
from pipelines.errors import NoCrawl, UsageError
from warehouse.results import read_input

SEVERITY_ORDER = ("violation", "warning", "review", "notice")
KINDS = ("license", "gating", "base_model", "card", "sha")
COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "since_crawl_id": pl.String,
    "model_id": pl.String,
    "changes": pl.List(pl.String),
    "old_license": pl.String,
    "new_license": pl.String,
    "old_category": pl.String,
    "new_category": pl.String,
    "old_gated": pl.String,
    "new_gated": pl.String,
    "old_base_models": pl.List(pl.String),
    "new_base_models": pl.List(pl.String),
    "old_sha": pl.String,
    "new_sha": pl.String,
    "severity": pl.String,
    "rank": pl.Int32,
    "descendants": pl.Int32,
    "affected": pl.List(pl.String),
    "flagged": pl.List(pl.String),
    "findings": pl.List(pl.String),
    "detail": pl.String,
}


def lineage_graph(edges: pl.DataFrame) -> nx.DiGraph:
    """parent -> child over declared edges by resolved parent ids (declared_edges input)."""
    g = nx.DiGraph()
    g.add_edges_from((p, c) for c, p in edges.select("child_id", "parent_id").iter_rows() if c != p)
    return g


def descendants(g: nx.DiGraph, model_id: str, present: set[str]) -> list[str]:
    if model_id not in g:
        return []
    return sorted((nx.descendants(g, model_id) - {model_id}) & present)


def new_findings(old: License, new: License, below: list[str], licenses: dict[str, License]) -> list[tuple]:
    """(descendant, rule, severity) for each finding the new upstream license raises that the old did not."""
    out = []
    for d in below:
        lic = licenses.get(d) or License(None, None, "unknown", "none")
        before = {r.rule_id for r, _, _ in judge(old, lic)}
        out += [(d, r.rule_id, r.severity) for r, _, _ in judge(new, lic) if r.rule_id not in before]
    return out


def _changes(row: dict) -> list[str]:
    return [k for k in KINDS if row[f"{k}_changed"]]


def _severity(changes: list[str], found: list[tuple]) -> str:
    if found:
        return min((s for _, _, s in found), key=SEVERITY_ORDER.index)
    return "review" if {"license", "gating", "base_model"} & set(changes) else "notice"


def _detail(row: dict, changes: list[str], old: License, new: License, found: list[tuple]) -> str:
    parts = []
    if "license" in changes:
        parts.append(
            f"license {row['old_license'] or 'none'} ({old.category}) -> {row['new_license'] or 'none'} "
            f"({new.category})"
        )
    if "gating" in changes:
        parts.append(f"gating {row['old_gated']} -> {row['new_gated']}")
    if "base_model" in changes:
        parts.append(f"base models {row['old_base_models']} -> {row['new_base_models']}")
    parts += [k for k in ("card", "sha") if k in changes]
    if found:
        parts.append(f"{len({d for d, _, _ in found})} descendants now conflict with the upstream license")
    return "; ".join(parts)


def upstream_changes(
    changed: pl.DataFrame, edges: pl.DataFrame, licenses: dict[str, License], present: set[str], since: str
) -> pl.DataFrame:
    """One row per changed model (model_changes input), worst first, with the descendants it affects."""
    g = lineage_graph(edges)
    rows = []
    for row in changed.iter_rows(named=True):
        changes = _changes(row)
        old = resolve(row["old_license"], row["old_license_name"], row["old_license_link"])
        new = resolve(row["new_license"], row["new_license_name"], row["new_license_link"])
        below = descendants(g, row["model_id"], present)
        found = new_findings(old, new, below, licenses) if "license" in changes else []
        rows.append(
            {
                "since_crawl_id": since,
                "model_id": row["model_id"],
                "changes": changes,
                "old_license": row["old_license"],
                "new_license": row["new_license"],
                "old_category": old.category,
                "new_category": new.category,
                "old_gated": row["old_gated"],
                "new_gated": row["new_gated"],
                "old_base_models": row["old_base_models"],
                "new_base_models": row["new_base_models"],
                "old_sha": row["old_sha"],
                "new_sha": row["new_sha"],
                "severity": _severity(changes, found),
                "descendants": len(below),
                "affected": below,
                "flagged": sorted({d for d, _, _ in found}),
                "findings": [f"{d}: {rule} ({sev})" for d, rule, sev in found],
                "detail": _detail(row, changes, old, new, found),
            }
        )
    rows.sort(key=lambda r: (SEVERITY_ORDER.index(r["severity"]), -len(r["flagged"]), -r["descendants"], r["model_id"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    return pl.DataFrame(rows, schema=COLUMNS, orient="row") if rows else pl.DataFrame(schema=COLUMNS)


def crawl_pair(con, since: str | None) -> tuple[dict, dict]:
    """(latest finished crawl, the crawl to compare it with: `since`, else the finished one before it)."""
    crawls = read_input(con, "finished_crawls").to_dicts()
    if not crawls:
        raise NoCrawl()
    latest = crawls[0]
    if since is None:
        if len(crawls) < 2:
            raise UsageError(
                f"crawl {latest['crawl_id']} is the only finished crawl: crawl again to see what changed upstream"
            )
        return latest, crawls[1]
    found = [c for c in crawls if c["crawl_id"] == since]
    if not found or found[0] is latest:
        ids = ", ".join(c["crawl_id"] for c in crawls[1:6]) or "none"
        raise UsageError(
            f"{since!r} is not a finished crawl older than the latest ({latest['crawl_id']}); "
            f"earlier finished crawls: {ids}"
        )
    return latest, found[0]


def compute(con, since: str | None = None) -> tuple[dict, dict, pl.DataFrame]:
    """Upstream changes between the latest finished crawl and `since` (default: the one before), from an open
    warehouse connection."""
    latest, old = crawl_pair(con, since)
    changed = read_input(con, "model_changes", {"new": latest["crawl_id"], "old": old["crawl_id"]})
    edges = read_input(con, "declared_edges")
    lic = resolve_frame(read_input(con, "model_licenses"))
    licenses = {
        r["model_id"]: License(r["license"], r["spdx"], r["category"], r["resolution"])
        for r in lic.iter_rows(named=True)
    }
    return latest, old, upstream_changes(changed, edges, licenses, set(licenses), old["crawl_id"])
