"""Family trees: the declared lineage graph (parent -> child), its weakly connected components, and what
makes each family's shape (size, depth, breadth, leaves, merges, relation mix, Wiener index).

Declared parents missing from the warehouse stay in the graph as external nodes, so two subtrees of an
uncrawled base still form one family; `size` counts only models present in the warehouse.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import polars as pl

from pipelines.config import RELATIONS

EXACT_DESCENDANTS_MAX = 5000
# relations a fine-tune tree follows (the Hub files a bare `base_model` under fine-tunes)
FINETUNE_LIKE = ("finetune", "unknown")  # components with merges above this size get no exact descendant counts


def lineage_graph(edges: pl.DataFrame) -> nx.DiGraph:
    """parent -> child graph of declared edges (self-loops dropped: they are reported as issues)."""
    g = nx.DiGraph()
    for child, parent, relation in edges.select("child_id", "parent_id", "relation").iter_rows():
        if child != parent:
            g.add_edge(parent, child, relation=relation)
    return g


def tree_wiener_index(tree: nx.Graph) -> int:
    """Sum of distances over all pairs of a tree in O(n): each edge lies on s * (n - s) paths."""
    n = tree.number_of_nodes()
    if n < 2:
        return 0
    root = next(iter(tree))
    parent = dict(nx.dfs_predecessors(tree, root))
    size = dict.fromkeys(tree, 1)
    total = 0
    for node in nx.dfs_postorder_nodes(tree, root):
        if node in parent:
            size[parent[node]] += size[node]
            total += size[node] * (n - size[node])
    return total


def _distances(g: nx.DiGraph, start: str) -> dict[str, int]:
    """Shortest distance from one node (BFS)."""
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in g.successors(node):
            if child not in dist:
                dist[child] = dist[node] + 1
                queue.append(child)
    return dist


def generations(g: nx.DiGraph) -> dict[str, int]:
    """Each node's longest derivation chain from a root: 0 without parents, else 1 + the largest parent generation.

    A merge of a tenth-generation model and a root is generation 11, not 1. Cycles are condensed: the members of
    a cycle are numbered from the cycle's entry (its smallest member with a parent outside it, else its smallest
    member) by their distance inside the cycle, starting one past the largest generation among outside parents.
    """
    cond = nx.condensation(g)
    members = cond.graph["mapping"]
    gen: dict[str, int] = {}
    for scc in nx.topological_sort(cond):
        nodes = cond.nodes[scc]["members"]
        outside = {n: [p for p in g.predecessors(n) if members[p] != scc] for n in nodes}
        base = max((gen[p] + 1 for ps in outside.values() for p in ps), default=0)
        if len(nodes) == 1:
            gen[next(iter(nodes))] = base
            continue
        entry = min((n for n in nodes if outside[n]), default=min(nodes))
        for node, d in _distances(g.subgraph(nodes), entry).items():
            gen[node] = base + d
    return gen


def _descendant_counts(g: nx.DiGraph, nodes: set[str], has_merge: bool) -> Mapping[str, int | None]:
    sub = g.subgraph(nodes)
    if not has_merge and nx.is_directed_acyclic_graph(sub):
        counts: dict[str, int] = {}
        for node in reversed(list(nx.topological_sort(sub))):
            counts[node] = sum(counts[c] + 1 for c in sub.successors(node))
        return counts
    if len(nodes) > EXACT_DESCENDANTS_MAX:
        return dict.fromkeys(nodes)
    return {n: len(nx.descendants(sub, n)) for n in nodes}


@dataclass
class FamilyTables:
    stats: pl.DataFrame
    members: pl.DataFrame
    out_degree: pl.DataFrame


def family_tables(
    edges: pl.DataFrame, present: set[str], licenses: dict[str, str | None], n_models: int
) -> FamilyTables:
    """family_stats, family_members and the out-degree distribution from declared edges."""
    g = lineage_graph(edges)
    g_ft = nx.DiGraph([(p, c) for p, c, r in g.edges(data="relation") if r in FINETUNE_LIKE])
    stats, members = [], []
    for comp in nx.weakly_connected_components(g):
        here = {n for n in comp if n in present}
        if not here:
            continue  # only uncrawled models: not a family of this warehouse
        roots = sorted(n for n in here if not any(p in present for p in g.predecessors(n)))
        if not roots:  # a cycle with no way in: start from its smallest member
            roots = [min(here)]
        gen = generations(g.subgraph(here))
        family_id = roots[0]
        comp_edges = [(p, c, d["relation"]) for p, c, d in g.subgraph(comp).edges(data=True)]
        in_deg = Counter(c for _, c, _ in comp_edges)
        merges = sum(1 for n in here if in_deg[n] > 1)
        rel = Counter(r if r in RELATIONS else "unknown" for _, _, r in comp_edges)
        und = g.subgraph(comp).to_undirected(as_view=True)
        is_tree = len(comp_edges) == len(comp) - 1
        breadth = Counter(gen.values())
        fam_licenses = Counter(licenses.get(n) for n in here if licenses.get(n))
        stats.append(
            {
                "family_id": family_id,
                "roots": roots,
                "size": len(here),
                "depth": max(gen.values()),
                "max_breadth": max(breadth.values()),
                "leaves": sum(1 for n in here if g.out_degree(n) == 0),
                "merges": merges,
                "edges": len(comp_edges),
                **{f"{r}_edges": rel.get(r, 0) for r in RELATIONS},
                "is_tree": is_tree,
                "wiener_index": tree_wiener_index(nx.Graph(und)) if is_tree else None,
                "external_parents": len(comp) - len(here),
                "licenses": len(fam_licenses),
                "top_license": fam_licenses.most_common(1)[0][0] if fam_licenses else None,
            }
        )
        desc = _descendant_counts(g, here, merges > 0)
        ft_nodes = {n for n in here if n in g_ft}
        ft_desc = _descendant_counts(g_ft, ft_nodes, any(g_ft.in_degree(n) > 1 for n in ft_nodes))
        for n in here:
            members.append(
                {
                    "model_id": n,
                    "family_id": family_id,
                    "generation": gen[n],
                    "parents": g.in_degree(n),
                    "children": g.out_degree(n),
                    "descendants": desc[n],
                    "finetune_descendants": ft_desc.get(n, 0),
                }
            )
    children = {n: g.out_degree(n) for n in g if n in present}
    dist = Counter(children.values())
    dist[0] = n_models - sum(v for k, v in dist.items() if k > 0)
    out_degree = pl.DataFrame(
        {"out_degree": sorted(dist), "models": [dist[k] for k in sorted(dist)]},
        schema={"out_degree": pl.Int32, "models": pl.Int64},
    )
    stats_df = pl.DataFrame(stats, schema=STATS_SCHEMA).sort("size", "family_id", descending=[True, False])
    members_df = pl.DataFrame(members, schema=MEMBERS_SCHEMA).sort("family_id", "generation", "model_id")
    return FamilyTables(stats_df, members_df, out_degree)


STATS_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "family_id": pl.String,
    "roots": pl.List(pl.String),
    "size": pl.Int32,
    "depth": pl.Int32,
    "max_breadth": pl.Int32,
    "leaves": pl.Int32,
    "merges": pl.Int32,
    "edges": pl.Int32,
    **{f"{r}_edges": pl.Int32 for r in RELATIONS},
    "is_tree": pl.Boolean,
    "wiener_index": pl.Int64,
    "external_parents": pl.Int32,
    "licenses": pl.Int32,
    "top_license": pl.String,
}
MEMBERS_SCHEMA = {
    "model_id": pl.String,
    "family_id": pl.String,
    "generation": pl.Int32,
    "parents": pl.Int32,
    "children": pl.Int32,
    "descendants": pl.Int32,
    "finetune_descendants": pl.Int32,
}


def lineage_issues(edges: pl.DataFrame, invalid: pl.DataFrame, whole_hub: bool) -> pl.DataFrame:
    """Data-quality findings: self-loops, cycles, parents missing from the warehouse, unusable base ids.

    A missing parent is an `orphan_parent`; when the latest crawl listed the whole hub it is also a
    `missing_base`: the declared base does not exist there (deleted, or a typo). A card naming its parent by an
    earlier id or in another letter case is a `stale_parent_id` (the parent resolved through the hub's redirect).
    """
    rows = []
    declared = edges["declared_parent_id"] if "declared_parent_id" in edges.columns else edges["parent_id"]
    for child, parent, present, named in zip(
        *(edges[c] for c in ("child_id", "parent_id", "parent_present")), declared, strict=True
    ):
        if named != parent:
            rows.append(("stale_parent_id", child, parent, f"the card names {parent} as {named}"))
        if child == parent:
            rows.append(("self_loop", child, parent, "declares itself as its base model"))
        elif not present:
            rows.append(("orphan_parent", child, parent, "declared parent is not in the warehouse"))
            if whole_hub:
                rows.append(("missing_base", child, parent, "declared base model does not exist on the hub"))
    g = lineage_graph(edges)
    for scc in nx.strongly_connected_components(g):
        if len(scc) > 1:
            cyc = sorted(scc)
            for p, c in g.subgraph(scc).edges():
                rows.append(("cycle", c, p, f"cycle through {len(cyc)} models: " + " -> ".join(cyc[:10])))
    for child, detail in invalid.select("child_id", "detail").iter_rows():
        rows.append(("invalid_base", child, None, detail))
    return pl.DataFrame(
        rows,
        schema={"kind": pl.String, "child_id": pl.String, "parent_id": pl.String, "detail": pl.String},
        orient="row",
    )


def relatives(edges: list[tuple], model_id: str) -> dict:
    """Ancestors and descendants of one model with their generation (negative above, positive below).

    Edges are (child, parent, relation[, declared parent id]); the parent is the resolved id, and the id the card
    declared is kept on the edge as `declared` (it differs for a renamed parent or another letter case).
    """
    g = nx.DiGraph()
    g.add_node(model_id)
    for child, parent, relation, *declared in edges:
        if child != parent:
            g.add_edge(parent, child, relation=relation, declared=declared[0] if declared else parent)
    down = nx.single_source_shortest_path_length(g, model_id)
    up = nx.single_source_shortest_path_length(g.reverse(copy=False), model_id)
    return {
        "model_id": model_id,
        "ancestors": sorted(((n, -d) for n, d in up.items() if d > 0), key=lambda x: (x[1], x[0])),
        "descendants": sorted(((n, d) for n, d in down.items() if d > 0), key=lambda x: (x[1], x[0])),
        "graph": g,
    }
