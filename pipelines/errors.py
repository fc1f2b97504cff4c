"""Errors a user can fix, reported by the CLI as one line (anything unexpected shows its traceback).

Every such error derives from `HubmineError`; its message is the whole line: what went wrong and what to
do about it. Modules raise a subclass named after the situation (WarehouseMissing, EndpointUnreachable, ...)
so callers can still tell them apart.
"""

from __future__ import annotations

import errno


class HubmineError(Exception):
    """A failure with a one-line explanation and its fix; the CLI prints it and exits with `exit_code`."""

    exit_code = 1


class UsageError(HubmineError):
    """A command-line argument names something that does not exist (the message lists what does)."""

    exit_code = 2


class NotInWarehouse(HubmineError):
    """A model, table or crawl the user named is not in the warehouse (the message names the closest ones)."""


class EndpointUnreachable(HubmineError):
    """The hub endpoint does not answer like a Hugging Face hub."""

    def __init__(self, endpoint: str, problem: str):
        self.endpoint = endpoint
        self.problem = problem
        super().__init__(
            f"the hub at {endpoint} {problem}. Check --endpoint or HF_ENDPOINT; to work offline, "
            "serve a snapshot with `hubmine hub serve --snapshot DIR` and pass its URL as --endpoint"
        )


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def user_facing(e: BaseException) -> str | None:
    """The one line the CLI prints for `e`, or None when it is a bug (the traceback is shown then)."""
    import duckdb

    if isinstance(e, HubmineError):
        return one_line(e)
    if isinstance(e, duckdb.Error):
        return one_line(e)
    if isinstance(e, (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)) and e.filename:
        return f"{e.strerror or type(e).__name__}: {e.filename}"
    if isinstance(e, (FileNotFoundError, PermissionError, ValueError, ConnectionError)):
        return one_line(f"{type(e).__name__}: {e}")
    if isinstance(e, OSError) and e.errno == errno.EADDRINUSE:
        return "that port is already in use (another server is listening there): choose another with --port"
    if isinstance(e, OSError) and e.errno is not None:
        return one_line(f"{e.strerror or e} ({getattr(e, 'filename', '') or ''})").replace(" ()", "")
    return None
