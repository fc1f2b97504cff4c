"""`hubmine analyze`: run the analysis assets over the warehouse."""

from __future__ import annotations

import time
from collections.abc import Sequence

from pipelines.cli.options import verb
from pipelines.definitions import ANALYSIS_ASSETS
from pipelines.errors import UsageError
from pipelines.runner import materialize_analyses
from warehouse.paths import data_dir, warehouse_path


def cmd_analyze(args) -> int:
    t0 = time.monotonic()
    chosen = choose_analyses(ANALYSIS_ASSETS, args.only)
    result = materialize_analyses(data_dir(), chosen)
    print(f"analyses finished in {time.monotonic() - t0:.1f}s; result tables in {warehouse_path(data_dir())}:")
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


def register(sub) -> None:
    a = verb(
        sub,
        "analyze",
        "Materialize the analysis assets over the current warehouse and write their "
        "result tables (family_stats, license_transitions, license_violations, "
        "trait_similarity, ...) tagged with the latest crawl_id.",
        cmd_analyze,
    )
    a.add_argument(
        "--only",
        action="append",
        metavar="ASSET",
        help="run only this analysis asset (repeatable), e.g. lineage_families",
    )
