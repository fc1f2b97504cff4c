"""`GET /api/models` and `GET /api/spaces`: cursor-paged listings with the client's filters, sorts and expands,
and `GET /api/spaces/{id}`.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.replay import api
from pipelines.replay.api import ApiError
from pipelines.replay.exchange import MAX_PAGE, Exchange, Query, Response, json_response
from pipelines.replay.repo import Record
from pipelines.replay.store import ListQuery


def _list_query(q: Query) -> ListQuery:
    """What models and spaces listings share: search, author, filters, sort, direction, page size, cursor."""
    return ListQuery(
        search=q.get("search"),
        author=q.get("author"),
        tags=q.all("filter"),
        sort=q.get("sort"),
        ascending=q.get("direction") == "1",
        limit=q.int("limit", MAX_PAGE),
        cursor=q.get("cursor"),
    )


def list_models(ex: Exchange, _rest: list[str]) -> Response:
    q = ex.query
    expand = q.all("expand")
    full, card, config = q.flag("full"), q.flag("cardData"), q.flag("config")
    api.check_expand(expand, api.MODEL_EXPAND, api.INFO_ONLY_EXPAND)
    if expand and (full or card or config):
        raise ApiError(400, "expand cannot be combined with full, cardData or config")
    lq = _list_query(q)
    gated = q.get("gated")
    lq.pipeline_tag, lq.gated = q.get("pipeline_tag"), None if gated is None else gated.lower() == "true"
    records, nxt = _listed(ex.store.list_models, lq)
    return ex.page([api.model_list_item(r, expand, full, card, config) for r in records], "/api/models", nxt)


def list_spaces(ex: Exchange, _rest: list[str]) -> Response:
    q = ex.query
    expand = q.all("expand")
    api.check_expand(expand, api.SPACE_EXPAND)
    lq = _list_query(q)
    lq.models = q.all("models")
    records, nxt = _listed(ex.store.list_spaces, lq)
    return ex.page([api.space_list_item(r, expand, q.flag("full")) for r in records], "/api/spaces", nxt)


def space_info(ex: Exchange, rest: list[str]) -> Response:
    sid = "/".join(rest[:2])
    record = ex.store.space(sid)
    if record is None:
        raise api.repo_not_found(sid)
    return json_response(record)


def _listed(
    list_fn: Callable[[ListQuery], tuple[list[Record], str | None]], lq: ListQuery
) -> tuple[list[Record], str | None]:
    """A page of records and the cursor of the next; a bad sort or cursor is the client's error."""
    try:
        return list_fn(lq)
    except ValueError as e:
        raise ApiError(400, str(e)) from None
