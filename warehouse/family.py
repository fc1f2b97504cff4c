"""One model's family through resolved lineage: the query `hubmine family` and `hubmine serve` both use."""

from __future__ import annotations

import duckdb

from analyses.families import relatives
from warehouse.results import input_sql


def family_edges(con: duckdb.DuckDBPyConnection, model_id: str) -> tuple[list[tuple], set[str]]:
    """Declared edges (child, resolved parent, relation, declared parent) above and below one model, and which
    of the models they name the warehouse holds."""
    edges = [tuple(r) for q in ("family_ancestors", "family_descendants")
             for r in con.execute(input_sql(q), [model_id]).fetchall()]
    present = {r[0] for r in con.execute("SELECT model_id FROM models WHERE model_id IN (SELECT unnest(?))",
                                          [sorted({x for e in edges for x in e[:2]} | {model_id})]).fetchall()}
    return edges, present


def family_of(con: duckdb.DuckDBPyConnection, model_id: str) -> dict:
    """relatives() of one model over the warehouse's resolved lineage, with the ids the warehouse holds."""
    edges, present = family_edges(con, model_id)
    rel = relatives(edges, model_id)
    rel["present"] = present
    return rel


def family_items(rel: dict) -> dict:
    """Ancestors and descendants as JSON-ready items: id, relation (of the edge on the shortest path to the
    model; several joined by '+'), generation (-1 parent, +1 child), parents in the family, crawled or not."""
    g, present = rel["graph"], rel["present"]
    gen = {rel["model_id"]: 0, **dict(rel["ancestors"]), **dict(rel["descendants"])}

    def item(node: str, generation: int) -> dict:
        if generation < 0:
            steps = [(node, c) for c in g.successors(node) if gen.get(c) == generation + 1]
        else:
            steps = [(p, node) for p in g.predecessors(node) if gen.get(p) == generation - 1]
        relation = "+".join(sorted({g.edges[e]["relation"] for e in steps})) or "unknown"
        return {"id": node, "relation": relation, "generation": generation,
                "parents": sorted(g.predecessors(node)), "crawled": node in present}

    return {"id": rel["model_id"], "crawled": rel["model_id"] in present,
            "ancestors": [item(n, d) for n, d in rel["ancestors"]],
            "descendants": [item(n, d) for n, d in rel["descendants"]]}


def license_findings(con, edges) -> list[tuple] | None:
    """License violations of the latest crawl on (parent, child) edges (None when the analyses have not run)."""
    pairs = sorted({(c, p) for p, c in edges})
    try:
        return con.execute(input_sql("family_license_findings"),
                           [[c for c, _ in pairs], [p for _, p in pairs]]).fetchall()
    except Exception:  # noqa: BLE001 - no license_violations table yet
        return None
