"""`hubmine changes`: what changed upstream between two crawls, and the descendants it reaches."""

from __future__ import annotations

import argparse
import json
import sys

from analyses.upstream_changes import compute
from pipelines.cli.options import default_option, format_option, positive_int, verb
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import connect_readonly

EPILOG = """examples:
  hubmine changes                      latest crawl against the one before it, worst first
  hubmine changes --since 20240101T030000-ab12 --format json
"""


def cmd_changes(args) -> int:
    con = connect_readonly(warehouse_path(data_dir()))
    try:
        latest, old, frame = compute(con, args.since)
    finally:
        con.close()
    print(
        f"changes between crawl {old['crawl_id']} and crawl {latest['crawl_id']}: {frame.height} models changed, "
        f"{int((frame['severity'] == 'violation').sum()) if frame.height else 0} with new license violations "
        "downstream",
        file=sys.stderr,
    )
    if args.format == "json":
        json.dump(frame.to_dicts(), sys.stdout, indent=1, default=str)
        sys.stdout.write("\n")
    elif args.format == "csv":
        sys.stdout.write(
            frame.with_columns(
                [frame[c].list.join("|") for c in frame.columns if str(frame[c].dtype).startswith("List")]
            ).write_csv()
        )
    else:
        _print_table(frame, args.max_affected)
    return 0


def _print_table(frame, shown: int) -> None:
    for r in frame.iter_rows(named=True):
        print(f"{r['rank']:>4}  {r['severity']:<9} {r['model_id']}  [{', '.join(r['changes'])}]  {r['detail']}")
        if r["affected"]:
            more = len(r["affected"]) - shown
            names = ", ".join(r["affected"][:shown]) + (f" (+{more} more)" if more > 0 else "")
            print(f"      {r['descendants']} descendants: {names}")
        for finding in r["findings"][:shown]:
            print(f"      finding: {finding}")


def register(sub) -> None:
    c = verb(
        sub,
        "changes",
        "Models whose license, gating, declared base models, card or sha changed between "
        "two finished crawls, each with the models below it in the warehouse (resolved "
        "declared lineage), worst first: a license turned restrictive upstream of "
        "permissively licensed descendants comes first. The same rows are in the "
        "upstream_changes table after `hubmine analyze`.",
        cmd_changes,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument(
        "--since",
        metavar="CRAWL_ID",
        help="compare the latest crawl with this one (default: the finished crawl before the latest)",
    )
    format_option(c)
    default_option(
        c, "--max-affected", 10, "descendants and findings shown per change in table format", type=positive_int
    )
