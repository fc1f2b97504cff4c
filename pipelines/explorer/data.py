"""What the explorer's pages show, read from the warehouse. Every function returns JSON-ready values.

One read-only connection serves every request (a cursor each: opening the file costs more than a query), and it
is closed once the explorer has been idle for IDLE_RELEASE_S, so a crawl or analysis waiting to load gets the
file (writers wait for the lock and retry)."""

from __future__ import annotations

import datetime as dt
import decimal
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from dashboards.data_access import named_queries
from pipelines.errors import NotInWarehouse
from pipelines.explorer.graph import MAX_NODES, family_graph
from warehouse.family import family_items, family_of, license_findings
from warehouse.query import connect_readonly

QUERIES = Path(__file__).parent / "queries.sql"
SCOPES = ("all", "real", "synthetic")
SEARCH_LIMIT = 20
IDLE_RELEASE_S = 20.0


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
        self._con = None
        self._users = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()

    @contextmanager
    def connection(self):
        with self._lock:
            if self._con is None:
                self._con = connect_readonly(self.warehouse)
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

    @staticmethod
    def rows(con, name: str, **params) -> list[dict]:
        sql = named_queries(QUERIES)[name]
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        try:
            cur = con.execute(sql, used)
        except duckdb.CatalogException:
            return []  # a table this warehouse does not have yet (no analyses, no weight checks)
        cols = [d[0] for d in cur.description]
        return [{c: jsonable(v) for c, v in zip(cols, r)} for r in cur.fetchall()]

    # -- search and one model ----------------------------------------------------------------------
    def search(self, q: str, scope: str = "all", limit: int = SEARCH_LIMIT) -> list[dict]:
        if not q.strip():
            return []
        with self.connection() as con:
            return self.rows(con, "search", q=q.strip(), scope=scope, limit=limit)

    def model_id(self, con, name: str) -> str:
        """The id as stored: exact, else the one crawled id equal up to letter case, else declared as a parent."""
        if self.rows(con, "model", id=name):
            return name
        same = self.rows(con, "model_ci", id=name)
        if same:
            return same[0]["model_id"]
        if con.execute("SELECT 1 FROM lineage_edges WHERE coalesce(resolved_parent_id, parent_id) = ? LIMIT 1",
                       [name]).fetchall():
            return name
        raise NotInWarehouse(f"{name!r} is not in the warehouse and no crawled model declares it as a base")

    def model(self, name: str) -> dict:
        with self.connection() as con:
            mid = self.model_id(con, name)
            facts = self.rows(con, "model", id=mid)
            return {"id": mid, "crawled": bool(facts), "facts": facts[0] if facts else None,
                    "licenses": self.rows(con, "model_licenses", id=mid),
                    "card": next(iter(self.rows(con, "model_card", id=mid)), None),
                    "energy": self.rows(con, "model_energy", id=mid),
                    "history": self.rows(con, "model_history", id=mid),
                    "events": self.rows(con, "model_events", id=mid),
                    "weights": self.rows(con, "model_weights", id=mid),
                    "weight_matches": self.rows(con, "model_weight_matches", id=mid)}

    def family(self, name: str) -> dict:
        """Ancestors and descendants, exactly as `hubmine family` finds them."""
        with self.connection() as con:
            return family_items(family_of(con, self.model_id(con, name)))

    def graph(self, name: str, max_nodes: int = MAX_NODES) -> dict:
        """The family graph with licenses, violations and each shown edge's evidence."""
        with self.connection() as con:
            rel = family_of(con, self.model_id(con, name))
            every = [rel["model_id"], *(n for n, _ in rel["ancestors"]), *(n for n, _ in rel["descendants"])]
            facts = {r["id"]: r for r in self.rows(con, "node_facts", ids=every)}
            out = family_graph(rel, {k: v["downloads"] for k, v in facts.items()}, max_nodes)
            for n in out["nodes"]:
                f = facts.get(n["id"], {})
                n.update(license=f.get("license"), downloads=f.get("downloads"), crawled=n["id"] in facts,
                         synthetic=f.get("synthetic"))
            self._edge_evidence(con, out["edges"])
            return out

    def _edge_evidence(self, con, edges: list[dict]) -> None:
        real = [e for e in edges if e["relation"] != "collapsed"]
        kids = sorted({e["child"] for e in real})
        ev: dict[tuple, dict] = {}
        for name, cols in (("edge_sources", ("sources",)), ("edge_inferred", ("inferred",)),
                           ("edge_weights", ("weights", "agrees"))):
            for r in self.rows(con, name, ids=kids):
                ev.setdefault((r["child_id"], r["parent_id"]), {}).update({c: r[c] for c in cols})
        findings = license_findings(con, [(e["parent"], e["child"]) for e in real]) or []
        bad: dict[tuple, list] = {}
        for child, parent, p_lic, c_lic, rule, severity, clause, url in findings:
            bad.setdefault((child, parent), []).append({"rule": rule, "severity": severity, "clause": clause,
                                                        "url": url, "parent_license": p_lic, "child_license": c_lic})
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
            return {"scope": scope, "crawls": crawls, "headline": [head.get(i) for i in ids],
                    "lineage": next(iter(self.rows(con, "headline_lineage", scope=scope)), {}),
                    "families": next(iter(self.rows(con, "headline_families", scope=scope)), {}),
                    "violations": self.rows(con, "headline_violations", scope=scope),
                    "changes": self.rows(con, "changes", crawl=latest, scope=scope) if latest else [],
                    "license_changes": self.rows(con, "license_changes", crawl=latest, previous=previous,
                                                 scope=scope) if previous else [],
                    "licenses_top": self.rows(con, "licenses_top", scope=scope),
                    "relations": self.rows(con, "relations", scope=scope)}

    def table(self, name: str, **params) -> list[dict]:
        with self.connection() as con:
            return self.rows(con, name, **params)
