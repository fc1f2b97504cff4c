"""`hubmine bn query`: the Bayesian network of model change learned by `hubmine analyze`."""

from __future__ import annotations

import sys

from analyses.bayes import query
from pipelines.cli.options import command, verb_group
from warehouse.paths import data_dir, warehouse_path
from warehouse.results import Inputs


def cmd_bn_query(args) -> int:
    with Inputs(warehouse_path(data_dir())) as inp:
        cpds = inp.frame("bn_cpds", [inp.crawl_id])
    if cpds.height == 0:
        print("hubmine: error: no Bayesian network for the latest crawl: run `hubmine analyze` first", file=sys.stderr)
        return 1
    for state, p in sorted(query(cpds, args.query).items(), key=lambda kv: -kv[1]):
        print(f"{state}\t{p:.4f}")
    return 0


def register(sub) -> None:
    bs = verb_group(sub, "bn", "Query the Bayesian network learned by `hubmine analyze` for the latest crawl.")
    q = command(
        bs,
        "query",
        'posterior probability, e.g. "P(documentation=yes | collaboration=team)"',
        "Print P(target | evidence) from the stored CPDs. Variables: phase (early, middle, "
        "late), popularity (low, mid, high), collaboration (solo, team), doc_quality (none, "
        "short, long), release, foundational, infrastructure, documentation, sharing, "
        "output_data (yes, no).",
        cmd_bn_query,
    )
    q.add_argument("query", help='e.g. "P(documentation=yes | popularity=high, collaboration=team)"')
