"""What the warehouse knows about one model and every model above it: the facts a bill of materials reports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from analyses.files import is_weight_file
from pipelines.config import Relation
from warehouse.results import INPUTS, named_sql

BOM_SQL = INPUTS.parent / "bom"
DECLARED = ("card", "tag")


@dataclass
class Edge:
    """child -> parent with how the warehouse knows it."""

    child_id: str
    parent_id: str
    relation: Relation
    sources: list[str]  # lineage_edges sources: card, tag, card+tag, adapter_config, config, mergekit
    declared_ids: list[str]  # the parent id as written (before renames and letter case were resolved)
    inferred_rows: list[dict] = field(default_factory=list)  # inferred_edges rows (config files, names)
    weights: list[dict] = field(default_factory=list)  # weight_diffs verdict / weight_matches fingerprint match

    def declared(self) -> str:
        """Where the child declares the parent: `card`, `tag`, `card, tag`, or `no`."""
        return ", ".join(sorted({p for s in self.sources for p in s.split("+") if p in DECLARED})) or "no"

    def inferred(self) -> str:
        """What else shows the edge: the repo's adapter/config/mergekit files, the analyses' inferred edges."""
        found = {s for s in self.sources if s not in ("card", "tag", "card+tag")}
        found |= {f"{i['source']} ({i['agreement']})" for i in self.inferred_rows}
        return ", ".join(sorted(found)) or "no"

    def weights_say(self) -> str:
        """The weight check's verdict on the edge (verified / contradicted) or a fingerprint match."""
        parts = []
        for w in self.weights:
            if w["kind"] == "diff":
                conf = f", confidence {w['confidence']:.2f}" if w.get("confidence") is not None else ""
                parts.append(f"{'verified' if w['agrees'] else 'contradicted'}: the weights say {w['relation']}{conf}")
            else:
                parts.append(f"fingerprint match: {w['relation']}, distance {w['distance']:.3f}")
        return "; ".join(parts) or "not checked"


@dataclass
class ModelFacts:
    model_id: str
    crawled: bool  # False: an ancestor named by lineage that no crawl listed
    row: dict = field(default_factory=dict)
    weight_files: list[dict] = field(default_factory=list)
    energy: dict | None = None

    @property
    def sha(self) -> str | None:
        return self.row.get("sha")

    @property
    def card_data(self) -> dict:
        try:
            data = json.loads(self.row.get("card_data") or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}


@dataclass
class BomFacts:
    model_id: str
    crawl: dict  # the latest finished crawl (id, endpoint, finished_at)
    models: dict[str, ModelFacts]  # the model and every ancestor
    edges: list[Edge]
    findings: list[dict]  # license_violations rows on the ancestry's edges
    card_body: str | None

    @property
    def subject(self) -> ModelFacts:
        return self.models[self.model_id]

    def ancestors(self) -> list[str]:
        """Every ancestor, nearest generation first, then by id."""
        depth = {self.model_id: 0}
        frontier = [self.model_id]
        while frontier:
            nxt = []
            for e in self.edges:
                if e.child_id in frontier and e.parent_id not in depth:
                    depth[e.parent_id] = depth[e.child_id] + 1
                    nxt.append(e.parent_id)
            frontier = nxt
        return sorted((m for m in depth if m != self.model_id), key=lambda m: (depth[m], m))

    def parents_of(self, model_id: str) -> list[Edge]:
        return [e for e in self.edges if e.child_id == model_id]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list) -> list[dict]:
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _optional(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> list[dict]:
    """Rows of an input over result tables; [] when the analysis that writes them has not run."""
    try:
        return _rows(con, named_sql(name, BOM_SQL), params)
    except duckdb.CatalogException:
        return []


def read_facts(con: duckdb.DuckDBPyConnection, model_id: str, crawl: dict) -> BomFacts:
    """Everything a BOM of `model_id` reports, read from an open (read-only) warehouse connection."""
    edges = [
        Edge(r["child_id"], r["parent_id"], r["relation"], list(r["sources"]), list(r["declared_ids"]))
        for r in _rows(con, named_sql("ancestry", BOM_SQL), {"model": model_id})
    ]
    ids = sorted({model_id} | {e.parent_id for e in edges})
    rows = {r["model_id"]: r for r in _rows(con, named_sql("models", BOM_SQL), {"ids": ids})}
    models = {m: ModelFacts(m, m in rows, rows.get(m, {})) for m in ids}
    for r in _rows(con, named_sql("weight_files", BOM_SQL), {"ids": ids}):
        if is_weight_file(r["path"]):
            models[r["model_id"]].weight_files.append(r)
    for r in _rows(con, named_sql("energy", BOM_SQL), {"ids": ids}):
        models[r["model_id"]].energy = r
    _attach_evidence(con, edges)
    pairs = {"children": [e.child_id for e in edges], "parents": [e.parent_id for e in edges]}
    findings = _findings(con, pairs) if edges else []
    card = _rows(con, named_sql("card", BOM_SQL), {"model": model_id})
    return BomFacts(model_id, crawl, models, edges, findings, card[0]["body"] if card else None)


def _attach_evidence(con: duckdb.DuckDBPyConnection, edges: list[Edge]) -> None:
    if not edges:
        return
    by_pair = {(e.child_id, e.parent_id): e for e in edges}
    pairs = {"children": [e.child_id for e in edges], "parents": [e.parent_id for e in edges]}
    for r in _optional(con, "inferred", pairs):
        by_pair[r["child_id"], r["parent_id"]].inferred_rows.append(r)
    for r in _optional(con, "weight_verdicts", pairs):
        by_pair[r["child_id"], r["parent_id"]].weights.append(r)


def _findings(con: duckdb.DuckDBPyConnection, pairs: dict) -> list[dict]:
    try:
        return _rows(con, named_sql("family_license_findings"), [pairs["children"], pairs["parents"]])
    except duckdb.CatalogException:
        return []
