"""Versioning, commit taxonomy and Bayesian-network assets (logic in analyses/naming, versioning, commits,
bayes)."""

import dagster as dg

from analyses import bayes, commits, versioning
from pipelines.assets.results import core, publish, result_specs, warehouse_inputs
from pipelines.resources import HubmineHome

GROUP = "versioning"


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "variant_types": "variant type per model with the evidence used (relation, files, tags, name)",
            "naming_conventions": "naming conventions (segment sequences) and how many models follow each",
            "version_series": "models of one author and stem ordered into releases, with the step between them",
            "weight_changes": "commits that changed weight files and whether a tag, the card or the name recorded it",
            "versioning_summary": "headline versioning figures computed from the tables above",
        },
        core("models", "lineage_edges", "commits", "commit_files", "refs", "model_cards"),
    )
)
def versioning_tables(home: HubmineHome):
    """Naming conventions, variants, version series and how weight changes are recorded."""
    with warehouse_inputs(home) as inp:
        activity = inp.frame("model_activity")
        edges = inp.frame("declared_edges")
        commit_rows = inp.frame("commits_with_files")
        crawl_id = inp.crawl_id
    variants = versioning.variant_types(activity, edges)
    conventions = versioning.naming_conventions(variants)
    series = versioning.version_series(activity)
    changes = versioning.weight_changes(commit_rows, activity)
    summary = versioning.versioning_summary(changes, series, variants, conventions)
    yield from publish(
        home,
        crawl_id,
        {
            "variant_types": variants,
            "naming_conventions": conventions,
            "version_series": series,
            "weight_changes": changes,
            "versioning_summary": summary,
        },
        extra={"versioning_summary": {r[0]: r[1] for r in summary.head(5).iter_rows() if r[1] is not None}},
    )


@dg.asset(group_name=GROUP, deps=core("commits", "commit_files"), kinds={"duckdb", "polars"})
def commit_categories(home: HubmineHome) -> dg.MaterializeResult:
    """Commits classified into the extended ML change taxonomy (rules in analyses/data/commit_rules.csv)."""
    with warehouse_inputs(home) as inp:
        rows = inp.frame("commits_with_files")
        crawl_id = inp.crawl_id
    out = commits.commit_categories(rows)
    mix = dict(out.group_by("category").len().sort("len", descending=True).head(8).iter_rows())
    return next(publish(home, crawl_id, {"commit_categories": out}, extra={"commit_categories": mix}))


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "bn_phase_data": "the (model, phase) observations the Bayesian network is learned from",
            "bn_edges": "structure learned by hill climbing (BIC) and by PC, with agreement between them",
            "bn_cpds": "conditional probability tables of the hill-climbing network",
        },
        [*core("models", "commits", "refs", "model_cards"), "commit_categories"],
    )
)
def bayesian_network(context: dg.AssetExecutionContext, home: HubmineHome):
    """How commit activity depends on phase, popularity, collaboration, releases and documentation."""
    with warehouse_inputs(home) as inp:
        cats = inp.frame("commit_categories", [inp.crawl_id])
        commit_rows = inp.frame("commits_with_files")
        activity = inp.frame("model_activity")
        crawl_id = inp.crawl_id
    data = bayes.phase_dataset(cats, commit_rows, activity)
    if data.height < bayes.MIN_OBSERVATIONS:
        note = (
            f"only {data.height} (model, phase) observations: too few commits to learn a network "
            "(crawl without --metadata-only)"
        )
        context.log.warning(note)
        empty = bayes.LearnedNetwork([], [], bayes.cpd_table(None))
        yield from publish(
            home,
            crawl_id,
            {"bn_phase_data": data, "bn_edges": bayes.edge_table(empty), "bn_cpds": empty.cpds},
            extra={"bn_edges": {"skipped": note}},
        )
        return
    net = bayes.learn(data)
    edges = bayes.edge_table(net)
    yield from publish(
        home,
        crawl_id,
        {"bn_phase_data": data, "bn_edges": edges, "bn_cpds": net.cpds},
        extra={
            "bn_edges": {
                "hill_climb": ", ".join(f"{a}->{b}" for a, b in net.hill_climb)[:2000],
                "pc": ", ".join(f"{a}-{b}" for a, b in net.pc)[:2000],
            }
        },
    )
