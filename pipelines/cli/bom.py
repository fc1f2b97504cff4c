"""`hubmine bom` and `hubmine changes`: governance outputs from the warehouse (no network)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.cli.options import home, positive_int

BOM_EPILOG = """examples:
  hubmine bom Minbyul/meditron-7b-dpo-full-sft-wo-live_qa --out bom.cdx.json
  hubmine bom epfl-llm/meditron-7b --format spdx --out meditron.spdx3.json
"""
CHANGES_EPILOG = """examples:
  hubmine changes                      latest crawl against the one before it, worst first
  hubmine changes --since 20240101T030000-ab12 --format json
"""


def cmd_bom(args) -> int:
    from analyses.bom.export import render, write_atomic
    from pipelines.errors import NotInWarehouse
    from warehouse.family import resolve_model_id
    from warehouse.paths import warehouse_path
    from warehouse.query import connect_readonly
    from warehouse.results import latest_crawl

    con = connect_readonly(warehouse_path(home()))
    try:
        crawl = latest_crawl(con)
        model_id, _, note = resolve_model_id(con, args.model_id)
        if note:  # on stderr: the BOM alone goes to stdout
            print(f"({note})", file=sys.stderr)
        if not con.execute("SELECT 1 FROM models WHERE model_id = ?", [model_id]).fetchall():
            raise NotInWarehouse(
                f"{model_id} is declared as a base by crawled models but no crawl listed it: "
                "crawl it (`hubmine crawl --search ...`) to write its BOM"
            )
        written = render(con, model_id, args.format, crawl)
    finally:
        con.close()
    if args.out and args.out != "-":
        write_atomic(Path(args.out), written.text)
        where = args.out
    else:
        sys.stdout.write(written.text)
        where = "stdout"
    print(f"{args.format} BOM of {model_id}: {written.summary()} -> {where}", file=sys.stderr)
    return 0


def cmd_changes(args) -> int:
    from analyses.upstream_changes import compute
    from warehouse.paths import warehouse_path
    from warehouse.query import connect_readonly

    con = connect_readonly(warehouse_path(home()))
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
    b = sub.add_parser(
        "bom",
        help="bill of materials of one model (CycloneDX 1.6 ML-BOM or SPDX 3.0 AI)",
        description="Write an AI bill of materials of one crawled model from the warehouse, without "
        "network: its weight files and hashes, model card, datasets, licenses (SPDX ids "
        "where they exist), its whole ancestry with each edge's evidence (declared, "
        "inferred, checked against the weights) and the license findings along it.",
        epilog=BOM_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("model_id", help="a crawled model id (an earlier id or another letter case is resolved)")
    b.add_argument(
        "--format",
        choices=["cyclonedx", "spdx"],
        default="cyclonedx",
        help="CycloneDX 1.6 JSON (default) or SPDX 3.0.1 JSON-LD with the AI profile",
    )
    b.add_argument("--out", help="file to write (default: stdout); written whole or not at all")
    b.set_defaults(func=cmd_bom)

    c = sub.add_parser(
        "changes",
        help="what changed upstream between two crawls, and the descendants it affects",
        description="Models whose license, gating, declared base models, card or sha changed between "
        "two finished crawls, each with the models below it in the warehouse (resolved "
        "declared lineage), worst first: a license turned restrictive upstream of "
        "permissively licensed descendants comes first. The same rows are in the "
        "upstream_changes table after `hubmine analyze`.",
        epilog=CHANGES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    c.add_argument(
        "--since",
        metavar="CRAWL_ID",
        help="compare the latest crawl with this one (default: the finished crawl before the latest)",
    )
    c.add_argument("--format", choices=["table", "json", "csv"], default="table", help="output format (default table)")
    c.add_argument(
        "--max-affected",
        type=positive_int,
        default=10,
        help="descendants and findings shown per change in table format (default 10)",
    )
    c.set_defaults(func=cmd_changes)
