"""Energy profile: who reports training emissions, how much, on what hardware, and per parameter
(Castaño et al.'s carbon studies); plus stratified samples, which those studies recommend."""

from __future__ import annotations

import polars as pl

from analyses.bayes import popularity_bucket


def profile(facts: pl.DataFrame) -> pl.DataFrame:
    """One row per model with a valid CO2 report: grams, hardware, parameters and grams per parameter."""
    return (
        facts.filter(pl.col("co2_grams").is_not_null())
        .with_columns(
            pl.when(pl.col("parameters") > 0)
            .then(pl.col("co2_grams") / pl.col("parameters"))
            .alias("grams_per_parameter"),
            pl.col("created_at").dt.year().cast(pl.Int32).alias("year"),
        )
        .select(
            "model_id",
            "author",
            "pipeline_tag",
            "library_name",
            "year",
            "source_kind",
            "co2_grams",
            "source",
            "training_type",
            "geographical_location",
            "hardware_used",
            "hw_count",
            "hw_model",
            "hw_memory_gb",
            "hours_used",
            "parameters",
            "grams_per_parameter",
            "autotrain",
        )
        .sort("model_id")
    )


def reporting(facts: pl.DataFrame) -> pl.DataFrame:
    """Reporting rate hub-wide and per year, library, pipeline and AutoTrain-or-not."""
    f = facts.with_columns(
        pl.col("created_at").dt.year().cast(pl.String).alias("year"),
        pl.col("co2_grams").is_not_null().alias("reports"),
        pl.when(pl.col("autotrain")).then(pl.lit("autotrain")).otherwise(pl.lit("other")).alias("autotrain_group"),
    )
    frames = [f.select(pl.lit("hub").alias("grouping"), pl.lit("all").alias("group_value"), "reports", "co2_grams")]
    for grouping, col in (
        ("year", "year"),
        ("library", "library_name"),
        ("pipeline", "pipeline_tag"),
        ("autotrain", "autotrain_group"),
    ):
        frames.append(
            f.filter(pl.col(col).is_not_null()).select(
                pl.lit(grouping).alias("grouping"), pl.col(col).alias("group_value"), "reports", "co2_grams"
            )
        )
    return (
        pl.concat(frames)
        .group_by("grouping", "group_value")
        .agg(
            pl.len().cast(pl.Int64).alias("models"),
            pl.col("reports").sum().cast(pl.Int64).alias("reporting"),
            pl.col("co2_grams").median().alias("median_grams"),
        )
        .with_columns((pl.col("reporting") / pl.col("models")).alias("rate"))
        .sort("grouping", "models", "group_value", descending=[False, True, False])
    )


def hardware_mix(prof: pl.DataFrame) -> pl.DataFrame:
    return (
        prof.filter(pl.col("hw_model").is_not_null())
        .group_by("hw_model", pl.col("training_type").fill_null("unknown"))
        .agg(
            pl.len().cast(pl.Int64).alias("models"),
            pl.col("co2_grams").median().alias("median_grams"),
            pl.col("hw_count").median().alias("median_count"),
        )
        .sort("models", "hw_model", descending=[True, False])
    )


def stratified_sample(models: pl.DataFrame, per_stratum: int = 10, seed: int = 0) -> pl.DataFrame:
    """Up to `per_stratum` models from each (popularity bucket, creation year) stratum, reproducibly."""
    strata = models.with_columns(
        popularity_bucket(pl.col("downloads")).alias("popularity"),
        pl.col("created_at").dt.year().cast(pl.String).fill_null("unknown").alias("year"),
    )
    return (
        strata.with_columns(pl.col("model_id").hash(seed).alias("_order"))
        .sort("_order")
        .group_by("popularity", "year", maintain_order=True)
        .head(per_stratum)
        .with_columns(pl.len().over("popularity", "year").cast(pl.Int32).alias("stratum_sample"))
        .join(
            strata.group_by("popularity", "year").agg(pl.len().cast(pl.Int64).alias("stratum_size")),
            on=["popularity", "year"],
        )
        .select("popularity", "year", "model_id", "stratum_size", "stratum_sample")
        .sort("popularity", "year", "model_id")
    )
