"""Weight-based lineage checks: a budgeted sample of parent-child pairs, downloaded (safetensors only) and
diffed tensor by tensor (logic in analyses/weights)."""

import time

import dagster as dg
import polars as pl

from analyses.weights.diff import diff_checkpoints
from analyses.weights.fetch import fetch_checkpoint
from analyses.weights.sample import EXPECTED, flags, sample_pairs
from analyses.weights.verdict import judge
from pipelines.assets.results import core, publish, warehouse_inputs
from pipelines.resources import HubmineHome, HubResource

GROUP = "weights"


class WeightSampleConfig(dg.Config):
    budget_gb: float = 2.0   # bytes of checkpoints to download per run
    max_pairs: int = 200


@dg.asset(group_name=GROUP, deps=[*core("models", "lineage_edges", "repo_files"), "family_members"],
          kinds={"duckdb", "polars"})
def weight_sample(config: WeightSampleConfig, home: HubmineHome) -> dg.MaterializeResult:
    """Parent-child pairs to check from the weights, stratified by relation and family within a byte budget."""
    with warehouse_inputs(home) as inp:
        candidates = inp.frame("weight_pair_candidates", [inp.crawl_id])
        crawl_id = inp.crawl_id
    chosen = sample_pairs(candidates, int(config.budget_gb * 1024 ** 3), config.max_pairs)
    mix = dict(chosen.group_by(pl.col("declared_relation").fill_null("undeclared")).len().iter_rows())
    return next(publish(home, crawl_id, {"weight_sample": chosen.drop("child_files", "parent_files")},
                        extra={"weight_sample": {"candidates": candidates.height, **mix}}))


@dg.asset(group_name=GROUP, deps=[weight_sample], kinds={"duckdb", "torch"})
def weight_diffs(context: dg.AssetExecutionContext, hub: HubResource, home: HubmineHome) -> dg.MaterializeResult:
    """Download each sampled pair's safetensors and judge the relation from the weights."""
    with warehouse_inputs(home) as inp:
        pairs = inp.frame("weight_sample_of", [inp.crawl_id])
        crawl_id = inp.crawl_id
    cache = home.home / "checkpoints"
    rows = []
    for i, (child, parent, declared_rel, declared) in enumerate(
            pairs.select("child_id", "parent_id", "declared_relation", "declared").iter_rows(), start=1):
        t0 = time.monotonic()
        try:
            a = fetch_checkpoint(parent, hub.resolved_endpoint, cache)
            b = fetch_checkpoint(child, hub.resolved_endpoint, cache)
            diff = diff_checkpoints(a, b)
            v = judge(diff)
            s = v.summary
            rows.append({"child_id": child, "parent_id": parent, "declared_relation": declared_rel,
                         "relation": v.relation, "confidence": v.confidence, "direction": v.direction,
                         "agrees": EXPECTED.get(declared_rel) == v.relation if declared else None,
                         "flags": flags(declared_rel, declared, v.relation), "rel_l2": s.get("rel_l2"),
                         "cosine": s.get("cosine"), "changed_share": s.get("changed_share"), "tensors": s.get("tensors"),
                         "unmatched": s.get("only_in_a", 0) + s.get("only_in_b", 0) + s.get("shape_mismatch", 0),
                         "bytes_read": diff.bytes_read, "device": diff.device,
                         "seconds": time.monotonic() - t0, "error": None})
        except Exception as e:  # noqa: BLE001 - a pair that cannot be checked is recorded, the rest go on
            rows.append({"child_id": child, "parent_id": parent, "declared_relation": declared_rel,
                         "error": f"{type(e).__name__}: {e}"[:500], "seconds": time.monotonic() - t0})
        context.log.info(f"weights {i}/{pairs.height}: {parent} -> {child}: {rows[-1].get('relation') or rows[-1]['error']}")
    out = pl.DataFrame(rows, schema=DIFF_SCHEMA)
    agree = out.filter(pl.col("agrees").is_not_null())
    return next(publish(home, crawl_id, {"weight_diffs": out}, extra={"weight_diffs": {
        "pairs": out.height, "errors": out.filter(pl.col("error").is_not_null()).height,
        "agree_share": float(agree["agrees"].mean()) if agree.height else 0.0}}))


DIFF_SCHEMA = {"child_id": pl.String, "parent_id": pl.String, "declared_relation": pl.String, "relation": pl.String,
               "confidence": pl.Float64, "direction": pl.String, "agrees": pl.Boolean, "flags": pl.List(pl.String),
               "rel_l2": pl.Float64, "cosine": pl.Float64, "changed_share": pl.Float64, "tensors": pl.Int32,
               "unmatched": pl.Int32, "bytes_read": pl.Int64, "device": pl.String, "seconds": pl.Float64,
               "error": pl.String}
WEIGHT_ASSETS = [weight_sample, weight_diffs]
