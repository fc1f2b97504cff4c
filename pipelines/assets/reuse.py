"""Reuse and energy assets (logic in analyses/reuse.py and analyses/energy_profile.py)."""

import dagster as dg

from analyses import energy_profile, reuse
from pipelines.assets.results import core, publish, result_specs, warehouse_inputs
from pipelines.config import SPACES_CAP
from pipelines.resources import HubmineHome

GROUP = "reuse_energy"


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "reuse_stats": "concentration of downloads and likes (Gini, top-1% share, zero share), "
            "hub-wide and per group",
            "downloads_lorenz": "Lorenz curve of downloads",
            "base_model_reuse": "declared derivatives per parent, by relation",
            "space_model_usage": "models by the number of spaces that use them (at_least: the Hub's cap hides more)",
            "space_org_usage": "organisations by the spaces that use their models (at_least: a count is a lower bound)",
            "collaboration_stats": "collaboration network of commit authors: isolates, reciprocity, core vs periphery",
            "study_sample": "a stratified sample (popularity x creation year) for studies",
        },
        core("models", "lineage_edges", "space_models", "spaces", "commits"),
    )
)
def reuse_tables(home: HubmineHome):
    """How models are reused: downloads, derivatives, spaces and collaboration."""
    with warehouse_inputs(home) as inp:
        models = inp.frame("model_basics").drop("license")
        edges = inp.frame("declared_edges")
        usage = inp.frame("space_usage")
        authors = inp.frame("commit_authors")
        crawl_id = inp.crawl_id
    by_model, by_org = reuse.space_usage(usage, SPACES_CAP)
    stats = reuse.concentration(models)
    hub = {
        f"{r['metric']} gini": round(r["gini"], 3)
        for r in stats.filter(stats["grouping"] == "hub").iter_rows(named=True)
        if r["gini"] is not None
    }
    yield from publish(
        home,
        crawl_id,
        {
            "reuse_stats": stats,
            "downloads_lorenz": reuse.lorenz(models),
            "base_model_reuse": reuse.base_model_reuse(edges),
            "space_model_usage": by_model,
            "space_org_usage": by_org,
            "collaboration_stats": reuse.collaboration(authors),
            "study_sample": energy_profile.stratified_sample(models),
        },
        extra={"reuse_stats": hub},
    )


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "energy_profile": "models that report training emissions: grams, hardware, parameters, grams per parameter",
            "energy_reporting": "share of models reporting emissions, hub-wide and per year, library, "
            "pipeline, AutoTrain",
            "energy_hardware": "hardware mix of the reports, by training type",
        },
        core("models", "energy"),
    )
)
def energy_tables(home: HubmineHome):
    """CO2 reporting and what it says about hardware and scale."""
    with warehouse_inputs(home) as inp:
        facts = inp.frame("energy_facts")
        crawl_id = inp.crawl_id
    prof = energy_profile.profile(facts)
    rates = energy_profile.reporting(facts)
    yield from publish(
        home,
        crawl_id,
        {"energy_profile": prof, "energy_reporting": rates, "energy_hardware": energy_profile.hardware_mix(prof)},
        extra={"energy_reporting": {"reporting models": prof.height}},
    )
