"""What the explorer's pages show, read from the warehouse. Every function returns JSON-ready values.

One read-only connection serves every request (a cursor each: opening the file costs more than a query), and it
is closed once the explorer has been idle for IDLE_RELEASE_S, so a crawl or analysis waiting to load gets the
file (writers wait for the lock and retry). The lineage index and the search index are built once per version
of the warehouse file (rebuilt when a writer changed it), and the last few families are kept, so a model page's
requests (facts, family, graph) walk the family once."""

from __future__ import annotations

import datetime as dt
import decimal
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.explorer.graph import MAX_NODES, family_graph
from pipelines.explorer.search import SearchIndex
from pipelines.explorer.sql import queries
from warehouse.family import (
    LineageIndex,
    Resolved,
    family_items,
    family_of,
    license_findings,
    resolve_model_id,
    warehouse_version,
)
from warehouse.query import connect_readonly

SCOPES = ("all", "real", "synthetic")
SEARCH_LIMIT = 20
IDLE_RELEASE_S = 20.0
FAMILIES_KEPT = 32


def jsonable(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


class Explorer:
    """Named queries over one warehouse file."""

    def __init__(self, warehouse: Path):
        self.warehouse = Path(warehouse)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()
        self._build = threading.Lock()
        self._version: tuple | None = None
        self._lineage: LineageIndex | None = None
        self._search: SearchIndex | None = None
        self._families: OrderedDict[str, dict] = OrderedDict()

    @contextmanager
    def connection(self):
        with self._lock:
            if self._con is None:
                self._con = connect_readonly(self.warehouse)
                self._forget_if_changed()
            self._users += 1
            cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()
            with self._lock:
                self._users -= 1
                self._last = time.monotonic()

    def release_idle(self, idle_s: float = IDLE_RELEASE_S) -> bool:
        """Close the connection when no request has used it for idle_s seconds (a writer can then load)."""
        with self._lock:
            if self._con is None or self._users or time.monotonic() - self._last < idle_s:
                return False
            self._con.close()
            self._con = None
            return True

    def _forget_if_changed(self) -> None:
        """Drop the indexes and kept families when the warehouse file is not the version they were built from
        (called with the connection lock held, whenever the file is opened)."""
        version = warehouse_version(self.warehouse)
        if version != self._version:
            with self._build:
                self._version, self._lineage, self._families = version, None, OrderedDict()
                if self._search is not None:
                    self._search.close()
                self._search = None

    def lineage(self, con) -> LineageIndex:
        with self._build:
            if self._lineage is None:
                self._lineage = LineageIndex.build(con)
            return self._lineage

    def search_index(self, con) -> SearchIndex:
        with self._build:
            if self._search is None:
                self._search = SearchIndex(con)
            return self._search

    def warm(self) -> None:
        """Build both indexes now (the server does this before it answers its first request)."""
        with self.connection() as con:
            self.search_index(con)
            self.lineage(con)

    @staticmethod
    def rows(con, name: str, **params) -> list[dict]:
        sql = queries()[name]
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        try:
            cur = con.execute(sql, used)
        except duckdb.CatalogException:
            return []  # a table this warehouse does not have yet (no analyses, no weight checks)
        cols = [d[0] for d in cur.description]
        return [{c: jsonable(v) for c, v in zip(cols, r, strict=True)} for r in cur.fetchall()]

    # -- search and one model ----------------------------------------------------------------------
    def search(self, q: str, scope: str = "all", limit: int = SEARCH_LIMIT) -> list[dict]:
        if not q.strip():
            return []
        with self.connection() as con:
            index = self.search_index(con)
        return index.search(q.strip(), scope, limit)

    def resolve(self, con, name: str) -> Resolved:
        """The id as `hubmine family` resolves it (exact, the hub's redirect, declared as a base, letter case)."""
        return resolve_model_id(con, name)

    def model_id(self, con, name: str) -> str:
        return self.resolve(con, name).model_id

    def family_rel(self, con, model_id: str) -> dict:
        """relatives() of one resolved id, walked once and kept for the page's next requests."""
        with self._build:
            rel = self._families.get(model_id)
            if rel is not None:
                self._families.move_to_end(model_id)
                return rel
        rel = family_of(con, model_id, self.lineage(con))
        with self._build:
            self._families[model_id] = rel
            while len(self._families) > FAMILIES_KEPT:
                self._families.popitem(last=False)
        return rel

    def model(self, name: str) -> dict:
        with self.connection() as con:
            mid, via, note = self.resolve(con, name)
            facts = self.rows(con, "model", id=mid)
            return {
                "id": mid,
                "requested": name,
                "resolved_via": via,
                "note": note,
                "crawled": bool(facts),
                "facts": facts[0] if facts else None,
                "licenses": self.rows(con, "model_licenses", id=mid),
                "card": next(iter(self.rows(con, "model_card", id=mid)), None),
                "energy": self.rows(con, "model_energy", id=mid),
                "history": self.rows(con, "model_history", id=mid),
                "events": self.rows(con, "model_events", id=mid),
                "weights": self.rows(con, "model_weights", id=mid),
                "weight_matches": self.rows(con, "model_weight_matches", id=mid),
            }

    def family(self, name: str) -> dict:
        """Ancestors and descendants, exactly as `hubmine family` finds them."""
        with self.connection() as con:
            return family_items(self.family_rel(con, self.model_id(con, name)))

    def graph(self, name: str, max_nodes: int = MAX_NODES) -> dict:
        """The family graph with licenses, violations and each shown edge's evidence."""
        with self.connection() as con:
            rel = self.family_rel(con, self.model_id(con, name))
            every = [rel["model_id"], *(n for n, _ in rel["ancestors"]), *(n for n, _ in rel["descendants"])]
            facts = {r["id"]: r for r in self.rows(con, "node_facts", ids=every)}
            out = family_graph(rel, {k: v["downloads"] for k, v in facts.items()}, max_nodes)
            for n in out["nodes"]:
                f = facts.get(n["id"], {})
                n.update(
                    license=f.get("license"),
                    downloads=f.get("downloads"),
                    crawled=n["id"] in facts,
                    synthetic=f.get("synthetic"),
                )
            self._edge_evidence(con, out["edges"])
            return out

    def _edge_evidence(self, con, edges: list[dict]) -> None:
        real = [e for e in edges if e["relation"] != "collapsed"]
        kids = sorted({e["child"] for e in real})
        ev: dict[tuple, dict] = {}
        for name, cols in (
            ("edge_sources", ("sources",)),
            ("edge_inferred", ("inferred",)),
            ("edge_weights", ("weights", "agrees")),
        ):
            for r in self.rows(con, name, ids=kids):
                ev.setdefault((r["child_id"], r["parent_id"]), {}).update({c: r[c] for c in cols})
        findings = license_findings(con, [(e["parent"], e["child"]) for e in real]) or []
        bad: dict[tuple, list] = {}
        for child, parent, p_lic, c_lic, rule, severity, clause, url in findings:
            bad.setdefault((child, parent), []).append(
                {
                    "rule": rule,
                    "severity": severity,
                    "clause": clause,
                    "url": url,
                    "parent_license": p_lic,
                    "child_license": c_lic,
                }
            )
        for e in real:
            e.update(ev.get((e["child"], e["parent"]), {}))
            e["findings"] = bad.get((e["child"], e["parent"]), [])

    # -- whole-warehouse pages ---------------------------------------------------------------------
    def index(self, scope: str) -> dict:
        with self.connection() as con:
            crawls = self.rows(con, "crawls_latest")
            ids = [c["crawl_id"] for c in crawls]
            head = {r["crawl_id"]: r for r in self.rows(con, "headline", crawls=ids, scope=scope)}
            latest = crawls[0]["crawl_id"] if crawls else None
            previous = crawls[1]["crawl_id"] if len(crawls) > 1 else None
            return {
                "scope": scope,
                "crawls": crawls,
                "headline": [head.get(i) for i in ids],
                "lineage": next(iter(self.rows(con, "headline_lineage", scope=scope)), {}),
                "families": next(iter(self.rows(con, "headline_families", scope=scope)), {}),
                "violations": self.rows(con, "headline_violations", scope=scope),
                "changes": self.rows(con, "changes", crawl=latest, scope=scope) if latest else [],
                "license_changes": self.rows(con, "license_changes", crawl=latest, previous=previous, scope=scope)
                if previous
                else [],
                "licenses_top": self.rows(con, "licenses_top", scope=scope),
                "relations": self.rows(con, "relations", scope=scope),
            }

    def table(self, name: str, **params) -> list[dict]:
        with self.connection() as con:
            return self.rows(con, name, **params)
