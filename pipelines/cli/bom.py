"""`hubmine bom`: the bill of materials of one model, from the warehouse (no network)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analyses.bom.export import write_atomic
from pipelines.bom import BOM_FORMATS, model_bom
from pipelines.cli.options import format_option, verb
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import connect_readonly

EPILOG = """examples:
  hubmine bom Minbyul/meditron-7b-dpo-full-sft-wo-live_qa --out bom.cdx.json
  hubmine bom epfl-llm/meditron-7b --format spdx --out meditron.spdx3.json
"""


def cmd_bom(args) -> int:
    con = connect_readonly(warehouse_path(data_dir()))
    try:
        resolved, written = model_bom(con, args.model_id, args.format)
    finally:
        con.close()
    if resolved.note:  # on stderr: the BOM alone goes to stdout
        print(f"({resolved.note})", file=sys.stderr)
    if args.out and args.out != "-":
        write_atomic(Path(args.out), written.text)
        where = args.out
    else:
        sys.stdout.write(written.text)
        where = "stdout"
    print(f"{args.format} BOM of {resolved.model_id}: {written.summary()} -> {where}", file=sys.stderr)
    return 0


def register(sub) -> None:
    b = verb(
        sub,
        "bom",
        "Write an AI bill of materials of one crawled model from the warehouse, without "
        "network: its weight files and hashes, model card, datasets, licenses (SPDX ids "
        "where they exist), its whole ancestry with each edge's evidence (declared, "
        "inferred, checked against the weights) and the license findings along it.",
        cmd_bom,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    b.add_argument("model_id", help="a crawled model id (an earlier id or another letter case is resolved)")
    format_option(b, BOM_FORMATS, "CycloneDX 1.6 JSON (default) or SPDX 3.0.1 JSON-LD with the AI profile")
    b.add_argument("--out", help="file to write (default: stdout); written whole or not at all")
