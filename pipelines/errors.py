"""Errors a user can fix, reported by the CLI as one line (anything unexpected shows its traceback).

Every such error is defined here and derives from `HubmineError`; its message is the whole line: what went wrong
and what to do about it. Each class is named after the situation (WarehouseMissing, EndpointUnreachable, ...) and
keeps what it is about as fields (endpoint, repo_id, path, ...), so callers can tell errors apart and read the
facts without parsing the message. A leaf module: it imports nothing of the project.
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

OFFLINE_HINT = (
    "Check --endpoint or HF_ENDPOINT; to work offline, serve a snapshot with `hubmine hub serve --snapshot DIR` "
    "and pass its URL as --endpoint"
)


class HubmineError(Exception):
    """A failure with a one-line explanation and its fix; the CLI prints it and exits with `exit_code`."""

    exit_code = 1


# -- the command line and settings ------------------------------------------------------------------------
class UsageError(HubmineError):
    """A command-line argument names something that does not exist (the message lists what does)."""

    exit_code = 2


class ConfigError(HubmineError, ValueError):
    """A setting names a mode that does not exist."""

    def __init__(self, setting: str, value: object, choices: Sequence[str]):
        self.setting, self.value, self.choices = setting, value, tuple(choices)
        super().__init__(f"{setting} must be one of {', '.join(self.choices)}, not {value!r}")


class BadRequest(HubmineError):
    """A query parameter the explorer's API cannot use."""

    def __init__(self, message: str, *, param: str | None = None):
        self.param = param
        super().__init__(message)


# -- the warehouse ----------------------------------------------------------------------------------------
class WarehouseMissing(HubmineError, FileNotFoundError):
    """No warehouse file in the data dir yet."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        super().__init__(f"no warehouse at {path}: run `hubmine crawl` (or `make demo`) first")


class WarehouseBusy(HubmineError):
    """Another process holds the warehouse's write lock."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        super().__init__(
            f"the warehouse {path} is being written by another process "
            "(a crawl or analysis is loading); try again in a moment"
        )


class NoCrawl(HubmineError, LookupError):
    """The warehouse holds no finished crawl."""

    def __init__(self) -> None:
        super().__init__("the warehouse holds no finished crawl: run `hubmine crawl` (or `make demo`) first")


class NotInWarehouse(HubmineError):
    """A model, table or crawl the user named is not in the warehouse (the message names the closest ones)."""

    def __init__(self, message: str, *, repo_id: str | None = None):
        self.repo_id = repo_id
        super().__init__(message)


# -- the hub and the crawl --------------------------------------------------------------------------------
class EndpointUnreachable(HubmineError):
    """The hub endpoint does not answer, or not like a Hugging Face hub."""

    def __init__(self, endpoint: str, problem: str):
        self.endpoint = endpoint
        self.problem = problem
        super().__init__(f"the hub at {endpoint} {problem}. {OFFLINE_HINT}")


class CrawlBusy(HubmineError):
    """Another crawl holds this data dir."""

    def __init__(self, holder: str, path: Path | str):
        self.holder = holder
        self.path = Path(path)  # the lock file
        super().__init__(f"another crawl is running on this data dir ({holder}); wait for it or stop it")


class CrawlIncomplete(HubmineError):
    """A run ended with partitions of the crawl still missing (the warehouse holds none of it)."""

    def __init__(self, crawl_id: str, status: str, missing: str):
        self.crawl_id, self.status, self.missing = crawl_id, status, missing
        super().__init__(f"crawl {crawl_id} is {status}, not loaded: missing {missing}; run the same command to resume")


class RunFailed(HubmineError):
    """A Dagster step failed; the message is that step's error."""

    def __init__(self, message: str, *, step: str | None = None):
        self.step = step
        super().__init__(message)


# -- analyses ---------------------------------------------------------------------------------------------
class RuleError(HubmineError, ValueError):
    """A row of a rule table is malformed."""

    def __init__(self, path: Path | str, line: int, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        super().__init__(f"{path}:{line}: {problem}")


class QueryError(HubmineError, ValueError):
    """A `bn query` that cannot be read or names an unknown variable or state."""

    def __init__(self, problem: str, *, query: str):
        self.query = query
        super().__init__(problem)


# -- weight checks ----------------------------------------------------------------------------------------
class WeightCheckError(HubmineError):
    """A weight check cannot run as asked; the message says what to change."""


class DeviceUnavailable(WeightCheckError):
    """CUDA was asked for on a machine without it."""

    def __init__(self, message: str, *, device: str = "cuda"):
        self.device = device
        super().__init__(message)


class CheckpointNotFound(WeightCheckError):
    """A repo, revision or file named for a weight check does not exist."""

    def __init__(self, message: str, *, repo_id: str, revision: str | None = None, endpoint: str | None = None) -> None:
        self.repo_id, self.revision, self.endpoint = repo_id, revision, endpoint
        super().__init__(message)


class UnsafeCheckpoint(HubmineError, ValueError):
    """The file is not a well-formed safetensors file; nothing was loaded from it."""

    def __init__(self, message: str, *, path: str | None = None):
        self.path = path
        super().__init__(message)


# -- the one line the CLI prints --------------------------------------------------------------------------
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


def user_message(cls_name: str, message: str) -> str | None:
    """The one line of an error of this module as a traceback formats it (`pipelines.errors.Class: text`), or
    None when `message` is not one of them (the runner reports Dagster step failures this way)."""
    prefix = f"{__name__}.{cls_name}: "
    return one_line(message[len(prefix) :]) if message.startswith(prefix) else None
