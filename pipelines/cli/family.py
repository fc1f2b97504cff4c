"""`hubmine family`: ancestors, descendants and license findings of one model, as a tree."""

from __future__ import annotations

import sys

from pipelines.cli.options import default_option, verb
from warehouse.family import family_of, license_findings, resolve_model_id
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import connect_readonly


def cmd_family(args) -> int:
    con = connect_readonly(warehouse_path(data_dir()))
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
    f = verb(
        sub,
        "family",
        "Print the ancestors (with their generation: -1 parent, -2 grandparent) and the "
        "descendant tree of one model through declared lineage (card and tags), parents "
        "resolved through the hub's redirects (a card naming a renamed or differently "
        "cased id shows `declared as ...`), then the license findings on those edges with "
        "the clause each one breaks and the license text's URL.",
        cmd_family,
    )
    f.add_argument("model_id", help="repo id, e.g. meta-llama/Llama-2-7b (an old id or another letter case works too)")
    default_option(f, "--max-depth", 50, "deepest generation of descendants printed")
    default_option(f, "--max-findings", 50, "license findings printed")
