"""The explorer's routes: HTML shells whose script reads the JSON API, and the API itself.

Pages never put a model-controlled string into HTML unescaped: the shells carry only escaped attributes, and
the script writes data into the page as text nodes (plotly labels are entity-escaped first).
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from pipelines.bom import model_bom
from pipelines.errors import HubmineError, NotInWarehouse
from pipelines.explorer.data import SCOPES, SEARCH_LIMIT, Explorer
from pipelines.explorer.graph import MAX_NODES

STATIC = Path(__file__).parent / "static"
PAGES = {"index": "hubmine explorer", "licenses": "Licenses", "families": "Families"}
NAV = (("/", "Home"), ("/families", "Families"), ("/licenses", "Licenses"), ("/dashboards/index.html", "Dashboards"))
MODEL_VIEWS = ("family", "graph", "bom")
LIST_LIMIT = 5000


class BadRequest(HubmineError):
    """A query parameter the API cannot use."""


def _scope(request: Request) -> str:
    scope = request.query_params.get("scope", "all")
    if scope not in SCOPES:
        raise BadRequest(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    return scope


def _int(request: Request, name: str, default: int, most: int) -> int:
    raw = request.query_params.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, not {raw!r}") from None
    if not 1 <= value <= most:
        raise BadRequest(f"{name} must be between 1 and {most}")
    return value


def _rows_response(request: Request, rows: list[dict], name: str) -> Response:
    """JSON, or CSV with ?format=csv (raw values; the pages format numbers for reading)."""
    if request.query_params.get("format") != "csv":
        return JSONResponse(rows)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in r.items()} for r in rows)
    return Response(
        buf.getvalue(), media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}.csv"'}
    )


def page(kind: str, title: str, model_id: str = "") -> HTMLResponse:
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    nav = "".join(f'<a href="{href}">{esc(label)}</a>' for href, label in NAV)
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hubmine · {esc(title)}</title>'
        '<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/assets/explorer.css">'
        '<script src="/assets/plotly.min.js"></script><script src="/assets/explorer.js" defer></script></head>'
        f'<body data-page="{esc(kind)}" data-id="{esc(model_id)}"><header><nav>{nav}</nav>'
        '<form id="search" action="/" autocomplete="off"><input id="q" name="q" type="search" '
        'placeholder="search models by id" aria-label="search models"><div id="suggest"></div></form>'
        '<label class="scope">models: <select id="scope"><option value="all">all</option>'
        '<option value="real">real</option><option value="synthetic">synthetic</option></select></label></header>'
        f'<main id="app"><h1 id="title">{esc(title)}</h1><p id="status" class="status">loading…</p></main>'
        "</body></html>"
    )


def split_model_path(rest: str) -> tuple[str, str | None]:
    """`author/name[/view]` (or `name/view` for a legacy id without author) → (model id, view)."""
    parts = rest.strip("/").split("/")
    if len(parts) in (2, 3) and parts[-1] in MODEL_VIEWS:
        return "/".join(parts[:-1]), parts[-1]
    return "/".join(parts), None


@lru_cache(maxsize=1)
def plotly_js() -> str:
    import plotly.offline

    return plotly.offline.get_plotlyjs()


def _ex(request: Request) -> Explorer:
    return request.app.state.explorer


async def home_page(request: Request) -> Response:
    return page("index", PAGES["index"])


async def named_page(request: Request) -> Response:
    kind = request.url.path.strip("/")
    return page(kind, PAGES[kind])


async def model_page(request: Request) -> Response:
    mid = request.path_params["model_id"].strip("/")
    return page("model", mid, mid)


async def api_models(request: Request) -> Response:
    q = request.query_params.get("q", "")
    rows = await _run(_ex(request).search, q, _scope(request), _int(request, "limit", SEARCH_LIMIT, 1000))
    return _rows_response(request, rows, "models")


async def api_model(request: Request) -> Response:
    ex = _ex(request)
    mid, view = split_model_path(request.path_params["rest"])
    if view == "family":
        return JSONResponse(await _run(ex.family, mid))
    if view == "graph":
        return JSONResponse(await _run(ex.graph, mid, _int(request, "max_nodes", MAX_NODES, 5000)))
    if view == "bom":
        return await _run(bom_response, ex, mid)
    return JSONResponse(await _run(ex.model, mid))


async def api_index(request: Request) -> Response:
    return JSONResponse(await _run(_ex(request).index, _scope(request)))


async def api_violations(request: Request) -> Response:
    rows = await _run(
        _ex(request).table, "violations", scope=_scope(request), limit=_int(request, "limit", 2000, LIST_LIMIT)
    )
    return _rows_response(request, rows, "license_violations")


async def api_families(request: Request) -> Response:
    rows = await _run(
        _ex(request).table,
        "families",
        scope=_scope(request),
        q=request.query_params.get("q", ""),
        limit=_int(request, "limit", 1000, LIST_LIMIT),
    )
    return _rows_response(request, rows, "families")


def _whole_table(name: str, download: str):
    """A route answering one named query over the chosen scope, as JSON or CSV."""

    async def handler(request: Request) -> Response:
        return _rows_response(request, await _run(_ex(request).table, name, scope=_scope(request)), download)

    return handler


api_rules = _whole_table("violations_by_rule", "rules")
api_family_sizes = _whole_table("family_sizes", "family_sizes")


async def api_features(request: Request) -> Response:
    dashboards = request.app.state.dashboards
    return JSONResponse({"bom": True, "dashboards": bool(dashboards and dashboards.is_dir())})


async def plotly(request: Request) -> Response:
    return Response(plotly_js(), media_type="application/javascript", headers={"Cache-Control": "max-age=86400"})


async def no_content(request: Request) -> Response:
    return Response(status_code=204)


ROUTES = [
    Route("/", home_page),
    Route("/licenses", named_page),
    Route("/families", named_page),
    Route("/models/{model_id:path}", model_page),
    Route("/api/index", api_index),
    Route("/api/models", api_models),
    Route("/api/models/{rest:path}", api_model),
    Route("/api/licenses/violations", api_violations),
    Route("/api/licenses/rules", api_rules),
    Route("/api/families", api_families),
    Route("/api/families/sizes", api_family_sizes),
    Route("/api/features", api_features),
    Route("/favicon.ico", no_content),
    Route("/assets/plotly.min.js", plotly),
    Mount("/assets", StaticFiles(directory=STATIC)),
]


def create_app(warehouse: Path, dashboards: Path | None = None) -> Starlette:
    ex = Explorer(warehouse)
    routes = list(ROUTES)
    if dashboards is not None and dashboards.is_dir():
        routes.append(Mount("/dashboards", StaticFiles(directory=dashboards, html=True)))
    app = Starlette(routes=routes, exception_handlers={HubmineError: _error}, lifespan=_idle_release(ex))
    app.state.explorer, app.state.dashboards = ex, dashboards
    return app


def _idle_release(ex: Explorer):
    """Lifespan: build the search and lineage indexes, then every few seconds hand the warehouse back if nobody
    is browsing."""

    @asynccontextmanager
    async def lifespan(app):
        async def loop():
            while True:
                await asyncio.sleep(5)
                await run_in_threadpool(ex.release_idle)

        await run_in_threadpool(ex.warm)  # the indexes are built before the first request, not during a user's
        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            ex.release_idle(0)

    return lifespan


async def _run(fn, *args, **kwargs):
    """Warehouse work off the event loop (DuckDB releases the GIL while it queries)."""
    return await run_in_threadpool(fn, *args, **kwargs)


async def _error(request: Request, exc: Exception) -> Response:
    status = 404 if isinstance(exc, NotInWarehouse) else 400 if isinstance(exc, BadRequest) else 503
    return JSONResponse({"error": str(exc)}, status_code=status)


def bom_response(ex: Explorer, model_id: str) -> Response:
    """The model's CycloneDX BOM, the document `hubmine bom` writes for the same id (NotInWarehouse: 404)."""
    with ex.connection() as con:
        _, written = model_bom(con, model_id)
    return Response(written.text, media_type="application/json")
