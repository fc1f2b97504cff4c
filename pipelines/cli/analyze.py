"""`hubmine analyze` and `hubmine family`: run the analyses over the warehouse, explore one family."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pipelines.cli.options import home


def cmd_analyze(args) -> int:
    from pipelines.definitions import ANALYSIS_ASSETS
    from pipelines.runner import materialize_analyses
    from warehouse.paths import warehouse_path

    t0 = time.monotonic()
    chosen = choose_analyses(ANALYSIS_ASSETS, args.only)
    result = materialize_analyses(home(), chosen)
    print(f"analyses finished in {time.monotonic() - t0:.1f}s; result tables in {warehouse_path(home())}:")
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        rows = mat.metadata.get("rows")
        print(f"  {mat.asset_key.to_user_string():<22} {rows.value if rows else '':>8} rows")
    _print_checks(result.get_asset_check_evaluations())
    return 0


def choose_analyses(assets: Sequence, only: list[str] | None) -> list:
    """The analysis assets named by --only: an asset (lineage_families) or a table it writes (family_stats)."""
    if not only:
        return list(assets)
    by_name = {}
    for a in assets:
        by_name[a.op.name] = a
        by_name.update({k.to_user_string(): a for k in a.keys})
    unknown = [n for n in only if n not in by_name]
    if unknown:
        from pipelines.errors import UsageError

        raise UsageError(
            f"no analysis or result table named {', '.join(map(repr, unknown))}; "
            f"choose from: {', '.join(sorted(by_name))}"
        )
    return list({id(by_name[n]): by_name[n] for n in only}.values())


def _print_checks(evaluations) -> None:
    """Data-quality checks: a failed check is a finding about the hub's data, not a failure of hubmine."""
    passed = [ev.check_name for ev in evaluations if ev.passed]
    findings = [ev for ev in evaluations if not ev.passed]
    if passed:
        print(f"checks passed: {', '.join(passed)}")
    if findings:
        print("findings about the hub's data (details in lineage_issues):")
    for ev in findings:
        text = ev.metadata.get("finding")
        count = ev.metadata.get("count")
        what = text.value if text else f"{count.value if count else '?'} issues"
        print(f"  {what}  [{ev.check_name}, {ev.severity.value.lower()}]")


def cmd_family(args) -> int:
    from warehouse.family import family_of, license_findings, resolve_model_id
    from warehouse.paths import warehouse_path
    from warehouse.query import connect_readonly

    con = connect_readonly(warehouse_path(home()))
    try:
        model_id, via, note = resolve_model_id(con, args.model_id)
        if note:  # a redirect is part of the answer; a letter-case guess is a remark
            print(note if via == "alias" else f"({note})", file=sys.stdout if via == "alias" else sys.stderr)
        rel = family_of(con, model_id)
        findings = license_findings(con, rel["graph"].edges)
    finally:
        con.close()
    present = rel["present"]
    mark = lambda m: "" if m in present else "  (not crawled)"  # noqa: E731
    print(f"{model_id}{mark(model_id)}")
    _print_ancestors(rel, model_id, mark)
    print(f"descendants ({len(rel['descendants'])}):")
    _print_tree(rel["graph"], model_id, present, args.max_depth)
    _print_findings(findings, args.max_findings)
    return 0


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
        print(f"  {severity:<9} {child} ({c_lic}) <- {parent} ({p_lic}): {rule}\n            {clause}  [{url}]")
    if len(findings) > limit:
        print(f"  ... {len(findings) - limit} more (--max-findings, or SELECT * FROM license_violations)")


def _print_tree(g, root: str, present: set[str], max_depth: int) -> None:
    seen = {root}

    def walk(node: str, depth: int, prefix: str, path: set[str]) -> None:
        kids = sorted(g.successors(node))
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            again = kid in seen
            print(
                f"{prefix}{'└── ' if last else '├── '}{kid}  [{g.edges[node, kid]['relation']}]"
                f"{_declared_note(g, node, kid)}{_note(g, kid, again, path, present)}"
            )
            if not again and depth < max_depth:
                seen.add(kid)
                walk(kid, depth + 1, prefix + ("    " if last else "│   "), path | {kid})

    walk(root, 1, "  ", {root})


def _note(g, kid: str, again: bool, path: set[str], present: set[str]) -> str:
    """Why a model is not expanded here: it closes a lineage cycle, or it was printed above."""
    if kid in path:
        return "  (lineage cycle: back to a model above; see lineage_issues)"
    if again:
        return " (merge, shown above)" if g.in_degree(kid) > 1 else " (shown above)"
    return "" if kid in present else "  (not crawled)"


def register(sub) -> None:
    a = sub.add_parser(
        "analyze",
        help="run the analyses over the warehouse (families, licenses, drift, ...)",
        description="Materialize the analysis assets over the current warehouse and write their "
        "result tables (family_stats, license_transitions, license_violations, "
        "trait_similarity, ...) tagged with the latest crawl_id.",
    )
    a.add_argument(
        "--only",
        action="append",
        metavar="ASSET",
        help="run only this analysis asset (repeatable), e.g. lineage_families",
    )
    a.set_defaults(func=cmd_analyze)
    f = sub.add_parser(
        "family",
        help="ancestors, descendants and license findings of one model",
        description="Print the ancestors (with their generation: -1 parent, -2 grandparent) and the "
        "descendant tree of one model through declared lineage (card and tags), parents "
        "resolved through the hub's redirects (a card naming a renamed or differently "
        "cased id shows `declared as ...`), then the license findings on those edges with "
        "the clause each one breaks and the license text's URL.",
    )
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


def register_site(sub) -> None:
    d = sub.add_parser(
        "dashboards",
        help="render the dashboard site from the warehouse",
        description="Render plotly dashboards (overview, families, licenses, versioning & commits, "
        "Bayesian network, reuse, energy, weights) from the result tables into a static "
        "site under $HUBMINE_HOME/dashboards (works offline: plotly.js is local).",
    )
    d.add_argument("--out", help="output directory (default: <data>/dashboards)")
    d.set_defaults(func=cmd_dashboards)
