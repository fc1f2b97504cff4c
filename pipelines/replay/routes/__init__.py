"""The replay hub's routes: which handler answers which path, tried in order.

A route matches the path segments (each one unquoted) and hands its handler the parts it captured: the
segments after a prefix, or the pieces of a download or git path. A new endpoint is one more row here.
Another kind of repo (datasets: `/api/datasets`, `/datasets/{id}`) is rows of its own beside the models':
its listing and info, repo_api's commits/refs/tree under its API path, and files.resolve with its `kind`
under its path prefix; the store then needs that kind's lookups beside the models'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelines.replay import api
from pipelines.replay.exchange import Exchange, Response
from pipelines.replay.routes import files, git, listing, repo_api

Matcher = Callable[[list[str]], list[str] | None]
Handler = Callable[[Exchange, list[str]], Response]


@dataclass(frozen=True)
class Route:
    match: Matcher
    handle: Handler


def prefix(*head: str, more: bool = True) -> Matcher:
    """Paths starting with `head`: followed by at least one more segment (`more`) or by nothing."""

    def match(segments: list[str]) -> list[str] | None:
        rest = segments[len(head) :]
        if tuple(segments[: len(head)]) != head or bool(rest) != more:
            return None
        return rest

    return match


ROUTES = (
    Route(prefix("api", "models", more=False), listing.list_models),
    Route(prefix("api", "models"), repo_api.model_routes),
    Route(prefix("api", "spaces", more=False), listing.list_spaces),
    Route(prefix("api", "spaces"), listing.space_info),
    Route(prefix("api", "resolve-cache", "models"), files.resolve_cache),
    Route(prefix("_cdn"), files.cdn),
    Route(files.resolve_path, files.resolve),
    Route(git.git_path, git.git),
)


def dispatch(ex: Exchange) -> Response:
    for route in ROUTES:
        parts = route.match(ex.segments)
        if parts is not None:
            return route.handle(ex, parts)
    raise api.page_not_found(ex.target)
