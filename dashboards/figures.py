"""Plotly figures of each dashboard area, built from rows of the result tables."""

from __future__ import annotations

import json
from collections import defaultdict

import networkx as nx
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.render import esc

RELATION_COLORS = {
    "finetune": "#2563eb",
    "adapter": "#16a34a",
    "quantized": "#d97706",
    "merge": "#9333ea",
    "unknown": "#64748b",
    "root": "#111827",
}


def bar(labels, values, title: str, axes: tuple[str, str], covers: str | None = None) -> go.Figure:
    """Horizontal bars; `axes` names the value axis and the category axis, `covers` what the chart counts."""
    labels = [esc(x) for x in labels]
    fig = go.Figure(go.Bar(y=labels, x=values, orientation="h", hovertemplate="%{y}: %{x:,}<extra></extra>"))
    full = f"{title}<br><sub>{esc(covers)}</sub>" if covers else title
    fig.update_layout(
        title=full,
        height=max(320, 24 * len(labels) + 140),
        margin=dict(l=10, r=10, t=70, b=10),
        xaxis=dict(title=axes[0], tickformat=","),
        yaxis=dict(autorange="reversed", title=axes[1], type="category", automargin=True),
    )
    return fig


def family_sunbursts(edges: list[dict], roots: list[dict]) -> dict[str, go.Figure]:
    """One sunburst per family: a tree of declared lineage, coloured by relation, license on hover.

    A model with several parents (a merge) is drawn under its first parent."""
    by_family: dict[str, list[dict]] = defaultdict(list)
    g = nx.DiGraph()
    for e in edges:
        g.add_edge(e["parent_id"], e["child_id"], relation=e["relation"], license=e["license"])
    figs = {}
    for root in roots:
        by_family[root["family_id"]].append(root)
    for family, rs in by_family.items():
        ids, labels, parents, colors, hover = [], [], [], [], []
        seen = set()
        for r in rs:
            stack = [(r["model_id"], "", "root", r["license"])]
            while stack:
                node, parent, rel, lic = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                ids.append(node)
                labels.append(esc(node.rsplit("/", 1)[-1]))
                parents.append(parent)
                colors.append(RELATION_COLORS.get(rel, "#64748b"))
                hover.append(f"{esc(node)}<br>relation: {esc(rel)}<br>license: {esc(lic)}")
                for child in sorted(g.successors(node)) if node in g else []:
                    d = g.edges[node, child]
                    stack.append((child, node, d["relation"], d["license"]))
        ids = [esc(i) for i in ids]
        parents = [esc(p) for p in parents]
        fig = go.Figure(
            go.Sunburst(
                ids=ids,
                labels=labels,
                parents=parents,
                marker=dict(colors=colors),
                hovertext=hover,
                hoverinfo="text",
                maxdepth=4,
            )
        )
        fig.update_layout(
            height=620,
            margin=dict(l=0, r=0, t=40, b=0),
            title=f"{esc(family)}: {len(ids)} models (colour = relation to parent)",
        )
        figs[family] = fig
    return figs


def license_sankey(transitions: list[dict]) -> go.Figure:
    cats = sorted({t["parent_value"] for t in transitions} | {t["child_value"] for t in transitions})
    idx = {c: i for i, c in enumerate(cats)}
    n = len(cats)
    fig = go.Figure(
        go.Sankey(
            node=dict(label=[f"parent: {esc(c)}" for c in cats] + [f"child: {esc(c)}" for c in cats], pad=12),
            link=dict(
                source=[idx[t["parent_value"]] for t in transitions],
                target=[n + idx[t["child_value"]] for t in transitions],
                value=[t["edges"] for t in transitions],
            ),
        )
    )
    fig.update_layout(title="License categories, parent → child (declared lineage)", height=560)
    return fig


def similarity(rows: list[dict]) -> go.Figure:
    fig = go.Figure()
    for trait in ("all", "tag", "license", "language", "section"):
        rs = [r for r in rows if r["trait"] == trait and r["mean"] is not None]
        if not rs:
            continue
        fig.add_bar(
            name=trait,
            x=[r["pair_type"] for r in rs],
            y=[r["mean"] for r in rs],
            error_y=dict(
                type="data",
                symmetric=False,
                array=[r["ci_high"] - r["mean"] for r in rs],
                arrayminus=[r["mean"] - r["ci_low"] for r in rs],
            ),
        )
    fig.update_layout(
        barmode="group",
        title="Trait similarity (Jaccard, 95% CI) by pair type",
        height=460,
        xaxis_title="pair of models",
        yaxis_title="mean Jaccard similarity of traits",
        legend_title_text="trait",
    )
    return fig


def drift(rows: list[dict], metrics: tuple[str, ...]) -> go.Figure:
    rs = [r for r in rows if r["relation"] == "all" and r["metric"] in metrics]
    fig = go.Figure(
        [
            go.Bar(name="parent", x=[r["metric"] for r in rs], y=[r["parent_value"] for r in rs]),
            go.Bar(name="child", x=[r["metric"] for r in rs], y=[r["child_value"] for r in rs]),
        ]
    )
    fig.update_layout(
        barmode="group",
        title="Parent vs child along declared edges",
        height=420,
        xaxis_title="metric",
        yaxis=dict(title="share of edges", tickformat=".0%"),
    )
    return fig


def commit_timeline(months: list[dict], by_category: list[dict]) -> go.Figure:
    """Commits per month (each commit once) above the share of each month's commits in each category.

    A commit can fall in several categories, so shares are not stacked and may add up to more than 100%.
    """
    totals = {r["month"]: r["commits"] for r in months}
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.4, 0.6], vertical_spacing=0.06)
    fig.add_trace(go.Bar(name="commits", x=list(totals), y=list(totals.values()), marker_color="#334155"), row=1, col=1)
    shares: dict[str, list] = defaultdict(list)
    for r in by_category:
        shares[r["category"]].append((r["month"], r["commits"] / totals[r["month"]]))
    for cat, pts in sorted(shares.items()):
        fig.add_trace(
            go.Scatter(name=esc(cat), x=[m for m, _ in pts], y=[s for _, s in pts], mode="lines"), row=2, col=1
        )
    fig.update_yaxes(title_text="commits", row=1, col=1)
    fig.update_xaxes(title_text="month", row=2, col=1)
    fig.update_yaxes(title_text="share of the month's commits", tickformat=".0%", row=2, col=1)
    fig.update_layout(
        title="Commits per month, and the share in each category (extended ML change taxonomy; "
        "a commit can carry several)",
        height=620,
    )
    return fig


def bn_graph(edges: list[dict], cpds: list[dict]) -> go.Figure:
    hc = [(e["source"], e["target"], e["confirmed"]) for e in edges if e["method"] == "hill_climb_bic"]
    g = nx.DiGraph([(a, b) for a, b, _ in hc])
    g.add_nodes_from({c["variable"] for c in cpds})
    pos = nx.spring_layout(g, seed=3) if g.number_of_nodes() else {}
    summary: dict[str, list[str]] = defaultdict(list)
    for c in cpds:
        parents = json.loads(c["parents"]) if c["parents"] else {}
        cond = ", ".join(f"{k}={v}" for k, v in parents.items())
        if len(summary[c["variable"]]) < 24:
            summary[c["variable"]].append(f"P({c['value']}{' | ' + cond if cond else ''}) = {c['probability']:.2f}")
    fig = go.Figure()
    for a, b, confirmed in hc:
        (x0, y0), (x1, y1) = pos[a], pos[b]
        fig.add_annotation(
            x=x1,
            y=y1,
            ax=x0,
            ay=y0,
            xref="x",
            yref="y",
            axref="x",
            ayref="y",
            showarrow=True,
            arrowhead=3,
            arrowwidth=2.5 if confirmed else 1.2,
            arrowcolor="#334155" if confirmed else "#94a3b8",
        )
    nodes = list(g.nodes)
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in nodes],
            y=[pos[n][1] for n in nodes],
            mode="markers+text",
            text=nodes,
            textposition="top center",
            marker=dict(size=22, color="#2563eb"),
            hovertext=["<br>".join([f"<b>{n}</b>", *summary[n]]) for n in nodes],
            hoverinfo="text",
        )
    )
    fig.update_layout(
        title="Learned structure (hill climbing, BIC); bold = PC agrees. Hover a node for its CPD",
        height=600,
        showlegend=False,
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
    )
    return fig


def lorenz(rows: list[dict]) -> go.Figure:
    fig = go.Figure(
        [
            go.Scatter(x=[r["model_share"] for r in rows], y=[r["download_share"] for r in rows], name="downloads"),
            go.Scatter(x=[0, 1], y=[0, 1], name="equality", line=dict(dash="dot")),
        ]
    )
    fig.update_layout(
        title="Lorenz curve of downloads",
        xaxis_title="share of models (least downloaded first)",
        yaxis_title="share of downloads",
        height=460,
    )
    return fig


def energy_scatter(rows: list[dict]) -> go.Figure:
    fig = go.Figure()
    for tt in sorted({r["training_type"] for r in rows}):
        rs = [r for r in rows if r["training_type"] == tt and r["co2_grams"]]
        fig.add_scatter(
            name=esc(tt),
            mode="markers",
            x=[r["parameters"] for r in rs],
            y=[r["co2_grams"] for r in rs],
            hovertext=[f"{esc(r['model_id'])}<br>{esc(r['hw_model'])}" for r in rs],
            hoverinfo="text",
        )
    fig.update_layout(
        title="Reported CO2 (g) by parameters and training type",
        xaxis_type="log",
        yaxis_type="log",
        height=460,
        xaxis_title="parameters (safetensors metadata)",
        yaxis_title="grams CO2eq",
    )
    return fig


def weights_heatmap(rows: list[dict]) -> go.Figure:
    declared = sorted({r["declared"] for r in rows})
    verdicts = sorted({r["relation"] for r in rows})
    z = [
        [sum(r["pairs"] for r in rows if r["declared"] == d and r["relation"] == v) for v in verdicts] for d in declared
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=verdicts,
            y=declared,
            text=z,
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar=dict(title="pairs"),
        )
    )
    fig.update_layout(
        title="Declared relation vs what the weights say",
        height=420,
        xaxis_title="verdict from the weights",
        yaxis_title="declared relation",
    )
    return fig
