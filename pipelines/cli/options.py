"""What more than one verb takes, defined once: the verb parsers themselves, shared options, argument types.

As sqlite-utils' option decorators do for click, each function here adds one option (or one kind of parser) to
an argparse parser, so a flag has one spelling, one default and one help text wherever it appears.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pipelines import config
from pipelines.cli.verbs import VERBS

Handler = Callable[[argparse.Namespace], int]


# -- parsers ---------------------------------------------------------------------------------------------
def command(sub, name: str, help: str, description: str, func: Handler | None = None, **kw: Any):
    """One (sub)command: its parser, with `func` to run when it is chosen."""
    p = sub.add_parser(name, help=help, description=description, **kw)
    if func is not None:
        p.set_defaults(func=func)
    return p


def verb(sub, name: str, description: str, func: Handler | None = None, **kw: Any) -> argparse.ArgumentParser:
    """A top-level verb: its one-line help is the one `hubmine --help` lists (pipelines/cli/verbs.py)."""
    return command(sub, name, VERBS[name], description, func, **kw)


def verb_group(sub, name: str, description: str):
    """A verb made of subcommands (`hubmine hub serve`); `hubmine hub` alone prints its help."""
    return verb(sub, name, description).add_subparsers(dest=f"{name}_command", metavar=f"{name.upper()}_COMMAND")


# -- argument types --------------------------------------------------------------------------------------
def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (argparse prints the one-line usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def read_text(path: str) -> str:
    """A FILE argument's text, or stdin's for "-"; undecodable bytes become U+FFFD instead of failing."""
    if path == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", errors="replace")


# -- shared options --------------------------------------------------------------------------------------
def default_option(p: argparse.ArgumentParser, flag: str, default: Any, help: str, **kw: Any) -> None:
    """An option with a default, its help ending in that default; `type` follows the default unless given."""
    kw.setdefault("type", type(default))
    p.add_argument(flag, default=default, help=f"{help} (default %(default)s)", **kw)


def endpoint_option(p: argparse.ArgumentParser) -> None:
    """--endpoint: the hub to talk to, else $HF_ENDPOINT, else the public Hub (config.normalize_endpoint)."""
    p.add_argument("--endpoint", help=f"hub URL (default: $HF_ENDPOINT or {config.DEFAULT_ENDPOINT})")


def format_option(
    p: argparse.ArgumentParser, choices: Sequence[str] = config.OUTPUT_FORMATS, help: str | None = None
) -> None:
    """--format: one of `choices`, the first being the default (table, csv or json unless a verb says)."""
    p.add_argument("--format", choices=choices, default=choices[0], help=help or "output format (default %(default)s)")


def progress_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-progress", action="store_true", help="log lines instead of progress bars")


def listen_options(p: argparse.ArgumentParser, port: int, port_help: str) -> None:
    """--host and --port of a server on this machine (loopback unless told)."""
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=port, help=port_help)


def access_log_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--access-log", action="store_true", help="log every request")


def seed_option(p: argparse.ArgumentParser, default: int = 0, help: str = "random seed") -> None:
    default_option(p, "--seed", default, help)


def force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="replace a snapshot already in OUT")
