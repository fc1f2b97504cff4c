"""Lineage and license analyses as assets: families, inferred edges, trait similarity, license drift and
violations, trait and card drift. The science lives in analyses/; these only read, call and write."""

import dagster as dg
import polars as pl

from analyses import drift, families, inferred, license_drift, traits
from pipelines.assets.results import core, publish, result_specs, warehouse_inputs
from pipelines.resources import HubmineHome

GROUP = "lineage"
LINEAGE_IN = core("models", "lineage_edges", "crawl_errors")
TRAITS_IN = core("models", "lineage_edges", "licenses", "model_cards")

# check name -> (issue kind, severity, what it guards, what a failure says about the hub's data)
LINEAGE_CHECKS = {
    "no_lineage_cycles": ("cycle", dg.AssetCheckSeverity.ERROR, "declared lineage has no cycles", "lineage cycles"),
    "no_self_loops": (
        "self_loop",
        dg.AssetCheckSeverity.ERROR,
        "no model declares itself as its base",
        "models that declare themselves as their own base",
    ),
    "parents_in_warehouse": (
        "orphan_parent",
        dg.AssetCheckSeverity.WARN,
        "every declared parent was crawled",
        "lineage edges whose declared parent is not in the warehouse",
    ),
    "declared_bases_exist": (
        "missing_base",
        dg.AssetCheckSeverity.WARN,
        "every declared base exists on the hub (whole-hub crawls only)",
        "lineage edges whose declared base does not exist on the hub",
    ),
    "declared_bases_valid": (
        "invalid_base",
        dg.AssetCheckSeverity.WARN,
        "every declared base names a repo",
        "declared bases that do not name a repo",
    ),
}


def finding(kind: str, what: str, found: pl.DataFrame) -> str:
    """`the hub has 2 lineage cycles (5 edges)`: cycles count once per cycle, other kinds per row."""
    if kind == "cycle":
        return f"the hub has {found['detail'].n_unique()} {what} ({found.height} edges)"
    return f"the hub has {found.height} {what}"


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "family_stats": "per family (weakly connected component of declared lineage): size, depth, breadth, "
            "leaves, merges, relation mix, Wiener index",
            "family_members": "each model of a family with its generation, parents, children and descendants",
            "lineage_out_degree": "how many models have k declared children",
            "lineage_issues": "lineage data quality: cycles, self-loops, orphan parents, missing or invalid bases",
        },
        LINEAGE_IN,
    ),
    check_specs=[
        dg.AssetCheckSpec(name, asset="lineage_issues", description=desc)
        for name, (_, _, desc, _) in LINEAGE_CHECKS.items()
    ],
)
def lineage_families(home: HubmineHome):
    """Family trees from declared lineage, and the data-quality checks of that lineage."""
    with warehouse_inputs(home) as inp:
        edges = inp.frame("declared_edges")
        models = inp.frame("model_basics").select("model_id", "license")
        invalid = inp.frame("invalid_bases")
        whole_hub = inp.whole_hub
        crawl_id = inp.crawl_id
    present = set(models["model_id"].to_list())
    tables = families.family_tables(edges, present, dict(models.iter_rows()), len(present))
    issues = families.lineage_issues(edges, invalid, whole_hub)
    yield from publish(
        home,
        crawl_id,
        {
            "family_stats": tables.stats,
            "family_members": tables.members,
            "lineage_out_degree": tables.out_degree,
            "lineage_issues": issues,
        },
        extra={
            "family_stats": {
                "families": tables.stats.height,
                "largest": int(tables.stats.select(pl.max("size")).item() or 0),
            }
        },
    )
    for name, (kind, severity, _, what) in LINEAGE_CHECKS.items():
        found = issues.filter(pl.col("kind") == kind)
        yield dg.AssetCheckResult(
            check_name=name,
            asset_key="lineage_issues",
            passed=found.height == 0,
            severity=severity,
            metadata={
                "count": found.height,
                "crawl_id": crawl_id,
                "finding": finding(kind, what, found),
                "examples": ", ".join(
                    f"{c} -> {p}" for c, p in found.head(5).select("child_id", "parent_id").iter_rows()
                ),
            },
        )


@dg.asset(group_name=GROUP, deps=LINEAGE_IN, kinds={"duckdb", "polars"})
def inferred_edges(home: HubmineHome) -> dg.MaterializeResult:
    """Lineage the repo shows (adapter/config files, names) compared with what the card declares."""
    with warehouse_inputs(home) as inp:
        declared = inp.frame("declared_edges")
        repo = inp.frame("inferred_lineage")
        models = inp.frame("model_basics").select("model_id", "author", "downloads")
        crawl_id = inp.crawl_id
    out = inferred.inferred_edges(repo, models, declared)
    counts = dict(out.group_by("agreement").len().iter_rows())
    return next(publish(home, crawl_id, {"inferred_edges": out}, extra={"inferred_edges": counts}))


@dg.asset(group_name=GROUP, deps=[*TRAITS_IN, "family_members"], kinds={"duckdb", "polars"})
def trait_similarity(home: HubmineHome) -> dg.MaterializeResult:
    """Jaccard similarity of traits for parent–child, sibling, same-family and cross-family pairs."""
    with warehouse_inputs(home) as inp:
        edges = inp.frame("declared_edges").filter(pl.col("parent_present"))
        model_traits = inp.frame("model_traits")
        members = inp.frame("family_members", [inp.crawl_id])
        crawl_id = inp.crawl_id
    out = traits.trait_similarity(model_traits, edges, members)
    means = {
        f"{r[0]} (all traits)": round(r[1], 3)
        for r in out.filter(pl.col("trait") == "all").select("pair_type", "mean").iter_rows()
        if r[1] is not None
    }
    return next(publish(home, crawl_id, {"trait_similarity": out}, extra={"trait_similarity": means}))


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "license_transitions": "parent -> child license and license-category transition matrix",
            "license_violations": "derivatives whose license drops an upstream obligation: the rule, clause and source",
            "license_coverage": "models and declared edges whose license terms the knowledge base does not know",
        },
        TRAITS_IN,
    )
)
def license_drift_tables(home: HubmineHome):
    """License drift along declared lineage, judged by rules derived from the knowledge base (analyses/data)."""
    with warehouse_inputs(home) as inp:
        edges = inp.frame("declared_edges")
        lic = license_drift.resolve_frame(inp.frame("model_licenses"))
        crawl_id = inp.crawl_id
    pairs = license_drift.license_pairs(edges, lic)
    viol = license_drift.violations(pairs)
    cov = license_drift.coverage(lic, edges)
    unresolved = cov.filter((pl.col("scope") == "models") & ~pl.col("resolved"))["items"].sum()
    yield from publish(
        home,
        crawl_id,
        {"license_transitions": license_drift.transitions(pairs), "license_violations": viol, "license_coverage": cov},
        extra={
            "license_violations": dict(viol.group_by("severity").len().iter_rows()),
            "license_coverage": {"models_unresolved": int(unresolved or 0)},
        },
    )


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "edge_drift": "per declared edge: license, task and language mutation; card length, sections, templates",
            "drift_summary": "per relation, parent vs child means of each drift metric",
        },
        TRAITS_IN,
    )
)
def trait_drift(home: HubmineHome):
    """Language and card drift, parent versus child."""
    with warehouse_inputs(home) as inp:
        per_edge = drift.edge_drift(inp.frame("declared_edges"), inp.frame("model_traits"))
        crawl_id = inp.crawl_id
    yield from publish(home, crawl_id, {"edge_drift": per_edge, "drift_summary": drift.drift_summary(per_edge)})
