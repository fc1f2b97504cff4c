"""`hubmine`: crawl a model hub into DuckDB, analyse its ecosystem, browse dashboards, check lineage from weights.

Data lives in $HUBMINE_HOME (default ./data): warehouse.duckdb, the Parquet lake and dashboards/.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Collection, Sequence

from pipelines.cli.verbs import VERBS
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
def build_parser(load: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every verb; with `load`, only those verbs' modules are imported and register their options,
    the others are listed by name and one-line help (what `hubmine --help` shows) and nothing else."""
    p = argparse.ArgumentParser(
        prog="hubmine", description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, help in VERBS.items():
        if load is None or name in load:
            importlib.import_module(f"{__name__}.{name}").register(sub)
        else:
            sub.add_parser(name, help=help)
    return p


def invoked(argv: Sequence[str]) -> set[str]:
    """The verb a command line names: its first word that is not an option (the only global one is -v)."""
    return next(({a} for a in argv if not a.startswith("-")), set())


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(load=invoked(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):  # no verb, or a verb of subcommands (hub, bn, weights) without one
        parser.parse_args([args.command, "--help"] if args.command else ["--help"])
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
