"""`hubmine names` (classify model names that were never crawled) and `hubmine bn query`."""

from __future__ import annotations

import csv
import sys

from pipelines.cli.options import home, read_text


def cmd_names(args) -> int:
    from analyses.naming import classify_names

    ids = (line.strip() for line in read_text(args.file).splitlines())
    rows = classify_names(i for i in ids if i and not i.startswith("#"))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(("model_id", "variant", "naming_convention"))
    out.writerows(rows)
    return 0


def cmd_bn_query(args) -> int:
    from analyses.bayes import query
    from warehouse.paths import warehouse_path
    from warehouse.results import Inputs

    with Inputs(warehouse_path(home())) as inp:
        cpds = inp.frame("bn_cpds", [inp.crawl_id])
    if cpds.height == 0:
        print("hubmine: error: no Bayesian network for the latest crawl: run `hubmine analyze` first", file=sys.stderr)
        return 1
    for state, p in sorted(query(cpds, args.query).items(), key=lambda kv: -kv[1]):
        print(f"{state}\t{p:.4f}")
    return 0


def register(sub) -> None:
    n = sub.add_parser(
        "names",
        help="classify model names (variant, naming convention) as CSV",
        description="Read model ids, one a line (FILE, or - for stdin), and print CSV "
        "model_id,variant,naming_convention using the name alone: useful for lists that "
        "were never crawled. Variants: finetuned, quantized, adapter, merged, distilled, "
        "compressed, deduplicated, base, other.",
    )
    n.add_argument("file", help='file of model ids, or "-" for stdin')
    n.set_defaults(func=cmd_names)
    b = sub.add_parser(
        "bn",
        help="query the Bayesian network of model change",
        description="Query the Bayesian network learned by `hubmine analyze` for the latest crawl.",
    )
    bs = b.add_subparsers(dest="bn_command", metavar="BN_COMMAND")
    q = bs.add_parser(
        "query",
        help='posterior probability, e.g. "P(documentation=yes | collaboration=team)"',
        description="Print P(target | evidence) from the stored CPDs. Variables: phase (early, middle, "
        "late), popularity (low, mid, high), collaboration (solo, team), doc_quality (none, "
        "short, long), release, foundational, infrastructure, documentation, sharing, "
        "output_data (yes, no).",
    )
    q.add_argument("query", help='e.g. "P(documentation=yes | popularity=high, collaboration=team)"')
    q.set_defaults(func=cmd_bn_query)
