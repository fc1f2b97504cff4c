"""`hubmine analyze` and `hubmine family`: run the analyses over the warehouse, explore one family."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipelines.cli_common import home


def cmd_analyze(args) -> int:
    from pipelines.definitions import ANALYSIS_ASSETS
    from pipelines.runner import materialize_analyses
    from warehouse.paths import warehouse_path

    t0 = time.monotonic()
    chosen = [a for a in ANALYSIS_ASSETS if not args.only or a.op.name in args.only]
    result = materialize_analyses(home(), chosen)
    print(f"analyses finished in {time.monotonic() - t0:.1f}s; result tables in {warehouse_path(home())}:")
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        rows = mat.metadata.get("rows")
        print(f"  {mat.asset_key.to_user_string():<22} {rows.value if rows else '':>8} rows")
    for ev in result.get_asset_check_evaluations():
        state = "passed" if ev.passed else f"FAILED ({ev.severity.value.lower()})"
        count = ev.metadata.get("count")
        print(f"  check {ev.check_name:<24} {state}{f': {count.value}' if count else ''}")
    return 0


def cmd_family(args) -> int:
    from analyses.families import relatives
    from warehouse.paths import warehouse_path
    from warehouse.query import connect_readonly

    con = connect_readonly(warehouse_path(home()))
    try:
        model_id, note = _current_id(con, args.model_id)
        edges, present, known = _family_edges(con, model_id)
        findings = _license_findings(con, model_id, edges)
    finally:
        con.close()
    if not known and not edges:
        print(f"hubmine: error: {args.model_id!r} is not in the warehouse and no crawled model declares it as a "
              "base", file=sys.stderr)
        return 1
    if note:
        print(note)
    rel = relatives(edges, model_id)
    mark = lambda m: "" if m in present else "  (not crawled)"  # noqa: E731
    print(f"{model_id}{mark(model_id)}")
    _print_ancestors(rel, model_id, mark)
    print(f"descendants ({len(rel['descendants'])}):")
    _print_tree(rel["graph"], model_id, present, args.max_depth)
    _print_findings(findings, args.max_findings)
    return 0


def _current_id(con, model_id: str) -> tuple[str, str | None]:
    """The crawled id an old or differently cased id resolves to (model_aliases), with a line saying so."""
    if con.execute("SELECT count(*) FROM models WHERE model_id = ?", [model_id]).fetchall()[0][0]:
        return model_id, None
    row = con.execute("""SELECT canonical_id, status FROM model_aliases
                         WHERE alias = ? AND canonical_id IS NOT NULL""", [model_id]).fetchall()
    if row and row[0][0] != model_id:
        how = "another letter case of" if row[0][1] == "case" else "an earlier id of"
        return row[0][0], f"{model_id} is {how} {row[0][0]} (the hub redirects it); showing {row[0][0]}"
    return model_id, None


def _family_edges(con, model_id: str) -> tuple[list[tuple], set[str], bool]:
    from warehouse.results import input_sql

    known = con.execute("SELECT count(*) FROM models WHERE model_id = ?", [model_id]).fetchall()[0][0] > 0
    edges = [tuple(r) for q in ("family_ancestors", "family_descendants")
             for r in con.execute(input_sql(q), [model_id]).fetchall()]
    present = {r[0] for r in con.execute("SELECT model_id FROM models WHERE model_id IN (SELECT unnest(?))",
                                          [sorted({x for e in edges for x in e[:2]})]).fetchall()}
    return edges, present, known


def _license_findings(con, model_id: str, edges: list[tuple]) -> list[tuple] | None:
    """License violations of the latest crawl on the edges shown (None when the analyses have not run)."""
    from warehouse.results import input_sql

    pairs = sorted({(c, p) for c, p, *_ in edges})
    try:
        return con.execute(input_sql("family_license_findings"),
                           [[c for c, _ in pairs], [p for _, p in pairs]]).fetchall()
    except Exception:  # noqa: BLE001 - no license_violations table yet
        return None


def _declared_note(g, parent: str, child: str) -> str:
    declared = g.edges[parent, child].get("declared", parent)
    return f" (declared as {declared})" if declared != parent else ""


def _print_ancestors(rel: dict, model_id: str, mark) -> None:
    g = rel["graph"]
    print(f"ancestors ({len(rel['ancestors'])}):")
    above = {a for a, _ in rel["ancestors"]} | {model_id}
    for anc, gen in rel["ancestors"]:
        kids = [c for c in g.successors(anc) if c in above]
        how = ", ".join(sorted({g.edges[anc, k]["relation"] for k in kids})) or "?"
        declared = "".join(sorted({_declared_note(g, anc, k) for k in kids}))
        print(f"  {gen:>3}  {anc}  [{how}]{declared}{mark(anc)}")


def _print_findings(findings: list[tuple] | None, limit: int) -> None:
    if findings is None:
        print("license findings: run `hubmine analyze` first")
        return
    print(f"license findings ({len(findings)}):")
    for child, parent, p_lic, c_lic, rule, severity, clause, url in findings[:limit]:
        print(f"  {severity:<9} {child} ({c_lic}) <- {parent} ({p_lic}): {rule}\n"
              f"            {clause}  [{url}]")
    if len(findings) > limit:
        print(f"  ... {len(findings) - limit} more (--max-findings, or SELECT * FROM license_violations)")


def _print_tree(g, root: str, present: set[str], max_depth: int) -> None:
    seen = {root}

    def walk(node: str, depth: int, prefix: str) -> None:
        kids = sorted(g.successors(node))
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            again = kid in seen
            note = " (merge, shown above)" if again else ("" if kid in present else "  (not crawled)")
            print(f"{prefix}{'└── ' if last else '├── '}{kid}  [{g.edges[node, kid]['relation']}]"
                  f"{_declared_note(g, node, kid)}{note}")
            if not again and depth < max_depth:
                seen.add(kid)
                walk(kid, depth + 1, prefix + ("    " if last else "│   "))

    walk(root, 1, "  ")


def register(sub) -> None:
    a = sub.add_parser("analyze", help="run the analyses over the warehouse (families, licenses, drift, ...)",
                       description="Materialize the analysis assets over the current warehouse and write their "
                                   "result tables (family_stats, license_transitions, license_violations, "
                                   "trait_similarity, ...) tagged with the latest crawl_id.")
    a.add_argument("--only", action="append", metavar="ASSET",
                   help="run only this analysis asset (repeatable), e.g. lineage_families")
    a.set_defaults(func=cmd_analyze)
    f = sub.add_parser("family", help="ancestors, descendants and license findings of one model",
                       description="Print the ancestors (with their generation: -1 parent, -2 grandparent) and the "
                                   "descendant tree of one model through declared lineage (card and tags), parents "
                                   "resolved through the hub's redirects (a card naming a renamed or differently "
                                   "cased id shows `declared as ...`), then the license findings on those edges with "
                                   "the clause each one breaks and the license text's URL.")
    f.add_argument("model_id", help="repo id, e.g. meta-llama/Llama-2-7b (an old id or another letter case works too)")
    f.add_argument("--max-depth", type=int, default=50, help="deepest generation of descendants printed (default 50)")
    f.add_argument("--max-findings", type=int, default=50, help="license findings printed (default 50)")
    f.set_defaults(func=cmd_family)


def cmd_dashboards(args) -> int:
    from dashboards.site import build_site
    from warehouse.paths import dashboards_dir, warehouse_path

    out = Path(args.out) if args.out else dashboards_dir(home())
    pages = build_site(warehouse_path(home()), out)
    print(f"dashboards: {len(pages)} pages in {out}; open {pages[0]} or run `hubmine serve`")
    return 0


def cmd_serve(args) -> int:
    import functools
    import http.server

    from warehouse.paths import dashboards_dir

    root = dashboards_dir(home())
    if not (root / "index.html").exists():
        print(f"hubmine: error: no dashboards in {root}: run `hubmine dashboards` first", file=sys.stderr)
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as httpd:
        print(f"serving {root} at http://127.0.0.1:{httpd.server_address[1]}/ (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def register_site(sub) -> None:
    d = sub.add_parser("dashboards", help="render the dashboard site from the warehouse",
                       description="Render plotly dashboards (overview, families, licenses, versioning & commits, "
                                   "Bayesian network, reuse, energy, weights) from the result tables into a static "
                                   "site under $HUBMINE_HOME/dashboards (works offline: plotly.js is local).")
    d.add_argument("--out", help="output directory (default: <data>/dashboards)")
    d.set_defaults(func=cmd_dashboards)
    s = sub.add_parser("serve", help="serve the dashboard site on 127.0.0.1",
                       description="Serve <data>/dashboards over HTTP on loopback.")
    s.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    s.set_defaults(func=cmd_serve)
