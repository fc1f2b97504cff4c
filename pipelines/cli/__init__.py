"""`hubmine`: crawl a model hub into DuckDB, analyse its ecosystem, browse dashboards, check lineage from weights.

Data lives in $HUBMINE_HOME (default ./data): warehouse.duckdb, the Parquet lake and dashboards/.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import warnings

from pipelines.cli import analyze, bom, card, crawl, demo, hub, names, serve, sql, weights
from pipelines.errors import HubmineError, user_facing

EPILOG = """examples:
  hubmine demo                                   real sample + synthetic hub, crawled offline
  hubmine crawl --metadata-only --author google  listing only, one namespace
  hubmine sql "select license, count(*) from models group by 1 order by 2 desc"
  hubmine analyze && hubmine serve               result tables, then the explorer on 127.0.0.1:8765
  hubmine family meta-llama/Llama-2-7b           ancestors and descendants of one model
  hubmine hub synth --models 100000 --seed 1 --out /tmp/hub && hubmine hub serve --snapshot /tmp/hub

environment:
  HUBMINE_HOME   data dir (default ./data)
  HF_ENDPOINT    hub to crawl (default https://huggingface.co); --endpoint overrides it
  HF_TOKEN       token sent to the hub; never printed, logged or stored
"""


# -- parser ------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hubmine", description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    demo.register(sub)
    crawl.register(sub)
    sql.register(sub)
    analyze.register(sub)
    analyze.register_site(sub)
    serve.register(sub)
    names.register(sub)
    card.register(sub)
    weights.register(sub)
    bom.register(sub)
    hub.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        sub = {"hub": "hub", "bn": "bn", "weights": "weights"}.get(args.command)
        parser.parse_args([sub, "--help"] if sub else ["--help"])
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("hubmine: interrupted; run the same command to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head(1) or a pager that quit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except HubmineError as e:  # a mistake the user can fix: its message says how
        return _report(e, e.exit_code, args.verbose)
    except Exception as e:  # noqa: BLE001 - OS and DuckDB errors a user causes get one line too; bugs re-raise
        if user_facing(e) is None:
            raise
        return _report(e, 1, args.verbose)


def _report(e: Exception, code: int, verbose: bool) -> int:
    if verbose:
        logging.error("details", exc_info=e)
    print(f"hubmine: error: {user_facing(e)}", file=sys.stderr)
    return code
