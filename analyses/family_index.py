"""One model's family through resolved lineage: what `hubmine family` and `hubmine serve` both use.

Family traversal runs over a LineageIndex: every declared edge read once into integer adjacency arrays (CSR,
child -> parents and parent -> children), so a family costs a walk over its own members instead of a recursive
query over every edge of the warehouse. It returns the same edges as the recursive query family_relatives.sql.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyses.families import relatives
from pipelines.errors import NotInWarehouse
from warehouse.results import named_sql


def _csr(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edge rows grouped by key: rows of key k are order[ptr[k]:ptr[k + 1]]."""
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return order, ptr


def _rows_of(nodes: np.ndarray, order: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """Every edge row of the given nodes, in one vectorised gather."""
    starts, lens = ptr[nodes], ptr[nodes + 1] - ptr[nodes]
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens)
    return order[offsets + np.arange(total)]


@dataclass
class LineageIndex:
    """Declared lineage by integer id: edge rows (child, parent, relation, declared parent) and both adjacencies."""

    ids: list[str]
    child: np.ndarray
    parent: np.ndarray
    relation: np.ndarray
    relations: list[str]
    declared: dict[int, str]  # edge row -> the id the card wrote, where it differs from the resolved parent
    crawled: np.ndarray
    code: dict[str, int] = field(init=False)
    up: tuple[np.ndarray, np.ndarray] = field(init=False)
    down: tuple[np.ndarray, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.code = {m: k for k, m in enumerate(self.ids)}
        self.up = _csr(self.child, len(self.ids))
        self.down = _csr(self.parent, len(self.ids))

    @classmethod
    def build(cls, con: duckdb.DuckDBPyConnection) -> LineageIndex:
        t = con.execute(named_sql("family_lineage")).to_arrow_table()
        ends = pa.concat_arrays([t["child_id"].combine_chunks(), t["parent_id"].combine_chunks()])
        ids = pc.unique(ends)
        child = pc.index_in(t["child_id"], value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
        parent = pc.index_in(t["parent_id"], value_set=ids).to_numpy(zero_copy_only=False).astype(np.int64)
        crawled = np.zeros(len(ids), dtype=bool)
        crawled[child[t["child_present"].to_numpy(zero_copy_only=False)]] = True
        crawled[parent[t["parent_present"].to_numpy(zero_copy_only=False)]] = True
        rel = pc.dictionary_encode(t["relation"]).combine_chunks()
        differs = pc.not_equal(t["declared_parent_id"], t["parent_id"])
        rows = np.flatnonzero(differs.to_numpy(zero_copy_only=False))
        declared = dict(zip(rows.tolist(), pc.take(t["declared_parent_id"], rows).to_pylist(), strict=True))
        return cls(
            ids.to_pylist(),
            child,
            parent,
            rel.indices.to_numpy(zero_copy_only=False),
            rel.dictionary.to_pylist(),
            declared,
            crawled,
        )

    def _reach(self, start: int, adjacency: tuple[np.ndarray, np.ndarray], other: np.ndarray) -> np.ndarray:
        """Edge rows leaving every node reachable from start (itself included) in one direction."""
        seen = np.zeros(len(self.ids), dtype=bool)
        seen[start] = True
        frontier, found = np.array([start]), []
        while frontier.size:
            rows = _rows_of(frontier, *adjacency)
            found.append(rows)
            nxt = np.unique(other[rows])
            frontier = nxt[~seen[nxt]]
            seen[frontier] = True
        return np.concatenate(found)

    def edges(self, model_id: str) -> list[tuple]:
        """(child, resolved parent, relation, declared parent) above and below one model, sorted: the rows of
        family_relatives.sql (the ancestors' edges, then the descendants')."""
        k = self.code.get(model_id)
        if k is None:
            return []
        out = []
        for adjacency, other in ((self.up, self.parent), (self.down, self.child)):
            out += sorted(self._edge(r) for r in self._reach(k, adjacency, other).tolist())
        return out

    def _edge(self, row: int) -> tuple:
        parent = self.ids[self.parent[row]]
        return (self.ids[self.child[row]], parent, self.relations[self.relation[row]], self.declared.get(row, parent))

    def is_crawled(self, model_id: str) -> bool | None:
        k = self.code.get(model_id)
        return None if k is None else bool(self.crawled[k])


def family_of(con: duckdb.DuckDBPyConnection, model_id: str, index: LineageIndex | None = None) -> dict:
    """relatives() of one model over the warehouse's resolved lineage, with the ids the warehouse holds."""
    index = index or LineageIndex.build(con)
    rel = relatives(index.edges(model_id), model_id)
    present = {m for m in rel["graph"] if index.is_crawled(m)}
    if (
        index.is_crawled(model_id) is None
        and con.execute("SELECT 1 FROM models WHERE model_id = ?", [model_id]).fetchall()
    ):
        present.add(model_id)  # crawled, with no declared lineage
    rel["present"] = present
    return rel


class Resolved(NamedTuple):
    model_id: str
    via: str  # exact | alias | base (declared as a parent, not crawled) | case
    note: str | None = None


def resolve_model_id(con: duckdb.DuckDBPyConnection, name: str) -> Resolved:
    """The repo id a user meant, how it was found, and a note when it is not the name given: exact; else the
    crawled id the hub redirects it to (an earlier id or another letter case, from model_aliases); else the name
    itself when crawled models declare it as a base; else the one known id equal up to letter case; else
    NotInWarehouse naming the closest ids the warehouse knows."""
    if con.execute("SELECT 1 FROM models WHERE model_id = ?", [name]).fetchall():
        return Resolved(name, "exact")
    alias = con.execute(
        """SELECT canonical_id, status FROM model_aliases
                           WHERE alias = ? AND canonical_id IS NOT NULL AND canonical_id <> alias""",
        [name],
    ).fetchall()
    if alias:
        how = "another letter case of" if alias[0][1] == "case" else "an earlier id of"
        to = alias[0][0]
        return Resolved(to, "alias", f"{name} is {how} {to} (the hub redirects it); showing {to}")
    if con.execute(
        "SELECT 1 FROM lineage_edges WHERE coalesce(resolved_parent_id, parent_id) = ? LIMIT 1", [name]
    ).fetchall():
        return Resolved(name, "base")  # declared as a base by crawled models, not crawled itself
    rows = con.execute(named_sql("model_lookup"), {"name": name}).fetchall()
    same = [r[0] for r in rows if r[2]]
    if len(same) == 1:
        return Resolved(same[0], "case", f"showing {same[0]}: repo ids are not case-sensitive on the Hub")
    close = [r[0] for r in rows if r[2] or (r[3] or 0) >= 0.9][:3]
    hint = f"did you mean {', '.join(close)}?" if close else '`hubmine sql "select model_id from models"` lists them'
    raise NotInWarehouse(
        f"{name!r} is not in the warehouse and no crawled model declares it as a base; {hint}", repo_id=name
    )


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
        return {
            "id": node,
            "relation": relation,
            "generation": generation,
            "parents": sorted(g.predecessors(node)),
            "crawled": node in present,
        }

    return {
        "id": rel["model_id"],
        "crawled": rel["model_id"] in present,
        "ancestors": [item(n, d) for n, d in rel["ancestors"]],
        "descendants": [item(n, d) for n, d in rel["descendants"]],
    }


def license_findings(con, edges) -> list[tuple] | None:
    """License violations of the latest crawl on (parent, child) edges (None when the analyses have not run)."""
    pairs = sorted({(c, p) for p, c in edges})
    try:
        return con.execute(
            named_sql("family_license_findings"), [[c for c, _ in pairs], [p for _, p in pairs]]
        ).fetchall()
    except Exception:  # noqa: BLE001 - no license_violations table yet
        return None
