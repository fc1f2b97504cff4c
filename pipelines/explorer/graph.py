"""The family graph a model page draws: generation layout, merges marked, collapsed beyond a node budget.

Ancestors sit above the model (negative generations), descendants below. A generation wider than ROW_WIDTH
wraps onto several rows, so a star-shaped family (hundreds of direct children) reads as a block of rows instead
of one line too long to label. Beyond `max_nodes`, the nodes nearest the model are kept (most downloaded first
within a generation) and each kept node whose subtree was cut gets one collapsed node with the count it hides.
"""

from __future__ import annotations

from collections import defaultdict

import networkx as nx

MAX_NODES = 300
ROW_WIDTH = 24
LABELLED_ROW = 12  # rows up to this many nodes show every label; wider ones show labels on hover


def keep_nodes(
    tree_parent: dict[str, str | None], gen: dict[str, int], downloads: dict[str, int], max_nodes: int
) -> list[str]:
    """The nodes shown: every ancestor (nearest first), then descendants by generation, most downloaded first
    within one; a node is shown only with its tree parent."""
    order = sorted(gen, key=lambda n: (gen[n] > 0, abs(gen[n]), -(downloads.get(n) or 0), n))
    kept: set[str] = set()
    out: list[str] = []
    for node in order:
        if len(out) >= max_nodes:
            break
        parent = tree_parent.get(node)
        if parent is None or parent in kept:
            kept.add(node)
            out.append(node)
    return out


def bfs_tree(g: nx.DiGraph, model_id: str, gen: dict[str, int]) -> dict[str, str | None]:
    """Each node's neighbour one step nearer the model (its shortest-path predecessor), the model itself None."""
    parent: dict[str, str | None] = {model_id: None}
    for node, d in gen.items():
        if d < 0:
            nearer = sorted(c for c in g.successors(node) if gen.get(c) == d + 1)
        elif d > 0:
            nearer = sorted(p for p in g.predecessors(node) if gen.get(p) == d - 1)
        else:
            continue
        parent[node] = nearer[0] if nearer else model_id
    return parent


def hidden_counts(tree_parent: dict[str, str | None], kept: set[str]) -> dict[str, int]:
    """For each kept node, how many hidden nodes hang below it in the shortest-path tree."""
    counts: dict[str, int] = defaultdict(int)
    for node in tree_parent:
        if node in kept:
            continue
        up = tree_parent[node]
        while up is not None and up not in kept:
            up = tree_parent[up]
        if up is not None:
            counts[up] += 1
    return dict(counts)


def layout(nodes: list[dict]) -> list[dict]:
    """Set x, y and `label` on each node, top (oldest ancestors) to bottom; returns one axis tick per generation.

    Each generation is a band; a generation wider than ROW_WIDTH wraps onto several rows of its band. Within a
    generation nodes follow their tree parent's position, so siblings sit together."""
    by_gen: dict[int, list[dict]] = defaultdict(list)
    for n in nodes:
        by_gen[n["generation"]].append(n)
    x_of: dict[str, float] = {}
    ticks, y = [], 0.0
    for g in sorted(by_gen):
        row = sorted(by_gen[g], key=lambda n: (x_of.get(n.get("tree_parent") or "", 0.0), n["collapsed"], n["id"]))
        ticks.append({"generation": g, "y": y, "models": sum(1 for n in row if not n["collapsed"])})
        for k in range(0, len(row), ROW_WIDTH):
            chunk = row[k : k + ROW_WIDTH]
            for i, n in enumerate(chunk):
                n["x"], n["y"] = i - (len(chunk) - 1) / 2, round(y, 3)
                n["label"] = len(row) <= LABELLED_ROW or g == 0 or n["collapsed"]
                x_of[n["id"]] = n["x"]
            y -= 0.5
        y -= 0.7
    return ticks


def family_graph(rel: dict, downloads: dict[str, int], max_nodes: int = MAX_NODES) -> dict:
    """Nodes and edges of one model's family for drawing, within a budget of `max_nodes` shown models."""
    g, model_id = rel["graph"], rel["model_id"]
    gen = {model_id: 0, **dict(rel["ancestors"]), **dict(rel["descendants"])}
    tree_parent = bfs_tree(g, model_id, gen)
    shown = keep_nodes(tree_parent, gen, downloads, max_nodes)
    kept = set(shown)
    nodes = [
        {
            "id": n,
            "generation": gen[n],
            "tree_parent": tree_parent.get(n),
            "collapsed": False,
            "merge": g.in_degree(n) > 1,
            "parents": g.in_degree(n),
            "children": g.out_degree(n),
        }
        for n in shown
    ]
    edges = [
        {"parent": p, "child": c, "relation": d["relation"], "declared_as": d.get("declared", p)}
        for p, c, d in g.edges(data=True)
        if p in kept and c in kept
    ]
    for node, count in sorted(hidden_counts(tree_parent, kept).items()):
        cid = f"+{count} more beyond {node}"
        down = gen[node] >= 0
        nodes.append(
            {
                "id": cid,
                "generation": gen[node] + (1 if down else -1),
                "tree_parent": node,
                "collapsed": True,
                "hidden": count,
                "merge": False,
            }
        )
        edges.append({"parent": node if down else cid, "child": cid if down else node, "relation": "collapsed"})
    ticks = layout(nodes)
    return {
        "id": model_id,
        "nodes": nodes,
        "edges": edges,
        "ticks": ticks,
        "total": len(gen),
        "shown": len(shown),
        "hidden": len(gen) - len(shown),
        "max_nodes": max_nodes,
    }
