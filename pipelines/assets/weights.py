"""Weight-based lineage checks: a budgeted sample of parent-child pairs read by byte ranges at the crawled sha
(safetensors only), fingerprints of every checkpoint read, and undeclared relatives (logic in analyses/weights)."""

import time
from datetime import UTC, datetime

import dagster as dg
import polars as pl

from analyses.weights.check import CheckRun, Model, check_pairs, fingerprint_models
from analyses.weights.diff import default_device
from analyses.weights.fingerprint import Fingerprint
from analyses.weights.matches import find_matches
from analyses.weights.sample import read_cost, sample_pairs
from pipelines.assets.results import core, preview, publish, result_specs, warehouse_inputs
from pipelines.config import WEIGHTS_BUDGET_GB, WEIGHTS_MAX_PAIRS
from pipelines.errors import EndpointUnreachable
from pipelines.resources import HubmineHome, HubResource
from warehouse.results import write_results

GROUP = "weights"


class WeightSampleConfig(dg.Config):
    budget_gb: float = WEIGHTS_BUDGET_GB  # bytes of sampled checkpoint reads per run
    max_pairs: int = WEIGHTS_MAX_PAIRS


@dg.asset(
    group_name=GROUP,
    deps=[*core("models", "lineage_edges", "repo_files"), "family_members"],
    kinds={"duckdb", "polars"},
)
def weight_sample(config: WeightSampleConfig, home: HubmineHome) -> dg.MaterializeResult:
    """Parent-child pairs to check from the weights, stratified by relation and family within a byte budget."""
    with warehouse_inputs(home) as inp:
        candidates = inp.frame("weight_pair_candidates", [inp.crawl_id])
        crawl_id = inp.crawl_id
    chosen = sample_pairs(candidates, int(config.budget_gb * 1024**3), config.max_pairs)
    mix = dict(chosen.group_by(pl.col("declared_relation").fill_null("undeclared")).len().iter_rows())
    return next(
        publish(
            home,
            crawl_id,
            {"weight_sample": chosen.drop("child_files", "parent_files")},
            extra={"weight_sample": {"candidates": candidates.height, **mix}},
        )
    )


def _models(pairs: pl.DataFrame, extra: pl.DataFrame) -> dict[str, Model]:
    models = {}
    for side in ("child", "parent"):
        for mid, sha, files in pairs.select(f"{side}_id", f"{side}_sha", f"{side}_files").iter_rows():
            models[mid] = Model(mid, sha, list(files or []))
    for mid, sha, files in extra.select("model_id", "sha", "files").iter_rows():
        models.setdefault(mid, Model(mid, sha, list(files or [])))
    return models


def _unchecked(pairs: pl.DataFrame, reason: str) -> list[dict]:
    return [
        {"child_id": c, "parent_id": p, "error": reason} for c, p in pairs.select("child_id", "parent_id").iter_rows()
    ]


def _fingerprint_budget(extra: pl.DataFrame, left: int) -> list[str]:
    """Undeclared candidates to fingerprint, smallest first, within the bytes the pairs left."""
    chosen = []
    for mid, size in extra.sort("bytes", nulls_last=True).select("model_id", "bytes").iter_rows():
        cost = read_cost(size)
        if cost > left:
            break
        chosen.append(mid)
        left -= cost
    return chosen


@dg.multi_asset(
    specs=result_specs(
        GROUP,
        {
            "weight_diffs": "per sampled pair: the relation the weights show (identical, cast, quantized, "
            "adapter-merge, finetune, merge, unrelated), direction where evidenced, agreement with the declared "
            "relation",
            "weight_check_errors": "pairs that could not be checked this run, with the reason "
            "(earlier verdicts are kept)",
            "weight_fingerprints": "per checkpoint read: a fingerprint of its matrices and the bytes its "
            "sampled read took",
        },
        [weight_sample],
    )
)
def weight_checks(context: dg.AssetExecutionContext, config: WeightSampleConfig, hub: HubResource, home: HubmineHome):
    """Read each sampled pair by byte ranges at the crawled sha and judge the relation from the weights;
    merges against all their declared parents. Results are merged into earlier ones, never replaced by failures."""
    with warehouse_inputs(home) as inp:
        pairs = inp.frame("weight_sample_of", [inp.crawl_id])
        extra = inp.frame("weight_fingerprint_candidates", [inp.crawl_id])
        crawl_id = inp.crawl_id
    client = hub.client()
    models = _models(pairs, extra)
    t0 = time.monotonic()
    try:
        client.probe()
        run = check_pairs(client, pairs.to_dicts(), models, default_device(), log=context.log.info)
        spent = sum(run.bytes_read.values())
        fingerprint_models(client, _fingerprint_budget(extra, int(config.budget_gb * 1024**3) - spent), models, run)
    except EndpointUnreachable as e:
        context.log.error(str(e))
        run = CheckRun(errors=_unchecked(pairs, str(e)))
    yield from _write(home, crawl_id, run, models, pairs.height, time.monotonic() - t0)


def _write(home: HubmineHome, crawl_id: str, run: CheckRun, models: dict, sampled: int, seconds: float):
    now = datetime.now(UTC).replace(tzinfo=None)
    diffs = pl.DataFrame(run.diffs, schema=DIFF_SCHEMA)
    errors = pl.DataFrame([{**e, "failed_at": now} for e in run.errors], schema=ERROR_SCHEMA)
    fps = pl.DataFrame(
        [
            {
                **fp.as_row(),
                "sha": models[m].sha,
                "bytes_read": run.bytes_read.get(m),
                "total_bytes": run.total_bytes.get(m),
            }
            for m, fp in run.fingerprints.items()
        ],
        schema=FP_SCHEMA,
    )
    # verdicts and fingerprints merge into earlier ones; this run's quarantine replaces the last one's
    write_results(
        home.warehouse,
        crawl_id,
        {"weight_diffs": diffs, "weight_fingerprints": fps, "weight_check_errors": errors},
        keys={"weight_diffs": ["child_id", "parent_id"], "weight_fingerprints": ["model_id"]},
    )
    agree = diffs.filter(pl.col("agrees").is_not_null())
    first = errors["error"][0] if errors.height else ""
    meta: dict[str, dict[str, str | int | float]] = {
        "weight_diffs": {
            "sampled": sampled,
            "checked": diffs.height,
            "failed": errors.height,
            "first_error": first,
            "seconds": seconds,
            "agree_share": float(agree.select(pl.col("agrees").mean()).item()) if agree.height else 0.0,
        },
        "weight_check_errors": {},
        "weight_fingerprints": {"bytes_read": sum(run.bytes_read.values())},
    }
    for name, frame in (("weight_diffs", diffs), ("weight_check_errors", errors), ("weight_fingerprints", fps)):
        yield dg.MaterializeResult(
            asset_key=name,
            metadata={"crawl_id": crawl_id, "rows": frame.height, "preview": preview(frame), **meta[name]},
        )


@dg.asset(group_name=GROUP, deps=["weight_fingerprints", "weight_diffs"], kinds={"duckdb", "polars"})
def weight_matches(home: HubmineHome) -> dg.MaterializeResult:
    """Undeclared lineage from the weights: for models that declare no base (or whose declared base the weights
    contradict), the nearest older checkpoint by fingerprint, as lineage evidence with source 'weights'."""
    with warehouse_inputs(home) as inp:
        crawl_id = inp.crawl_id
        fps = [Fingerprint.from_row(r) for r in inp.frame("weight_fingerprints_of", [crawl_id]).to_dicts()]
        queries = inp.frame("weight_fingerprint_candidates", [crawl_id])
        dates = inp.frame("weight_model_dates")
        declared = inp.frame("weight_declared_edges")
    matches = find_matches(fps, queries, dates, declared)
    return next(
        publish(
            home,
            crawl_id,
            {"weight_matches": matches},
            extra={"weight_matches": {"fingerprints": len(fps), "queries": queries.height}},
        )
    )


DIFF_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "child_id": pl.String,
    "parent_id": pl.String,
    "declared_relation": pl.String,
    "relation": pl.String,
    "confidence": pl.Float64,
    "direction": pl.String,
    "agrees": pl.Boolean,
    "flags": pl.List(pl.String),
    "rel_l2": pl.Float64,
    "cosine": pl.Float64,
    "changed_share": pl.Float64,
    "tensors": pl.Int32,
    "unmatched": pl.Int32,
    "bytes_read": pl.Int64,
    "device": pl.String,
    "seconds": pl.Float64,
    "evidence": pl.String,
}
ERROR_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "child_id": pl.String,
    "parent_id": pl.String,
    "error": pl.String,
    "failed_at": pl.Datetime("us"),
}
FP_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "model_id": pl.String,
    "sha": pl.String,
    "matrices": pl.Int32,
    "keys": pl.List(pl.String),
    "vectors": pl.List(pl.List(pl.Float32)),
    "grid": pl.Float64,
    "bytes_read": pl.Int64,
    "total_bytes": pl.Int64,
}
