"""`hubmine sql`: read-only SQL against the warehouse."""

from __future__ import annotations

import sys

from pipelines.cli.options import format_option, verb
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import format_rows, run_query


def cmd_sql(args) -> int:
    sql = sys.stdin.read() if args.query == "-" else args.query
    cols, rows = run_query(warehouse_path(data_dir()), sql)
    shown = rows if args.format != "table" or args.max_rows <= 0 else rows[: args.max_rows]
    sys.stdout.write(format_rows(cols, shown, args.format))
    if len(shown) < len(rows):
        print(
            f"(showing {len(shown)} of {len(rows)} rows; --max-rows 0 shows all, --format csv exports)", file=sys.stderr
        )
    return 0


def register(sub) -> None:
    q = verb(
        sub,
        "sql",
        "Run one SQL query against the warehouse, opened read-only (no writes, no file "
        "access). Tables: models, lineage_edges, licenses, commits, ... (see README).",
        cmd_sql,
    )
    q.add_argument("query", help='SQL text, or "-" to read it from stdin')
    format_option(q)
    q.add_argument("--max-rows", type=int, default=200, help="rows shown in table format (0 = all; default 200)")
