"""`hubmine serve`: the explorer (a read-only web app and JSON API over the warehouse) on loopback."""

from __future__ import annotations

import socket
import sys

import uvicorn

from pipelines.cli.options import access_log_option, listen_options, verb
from pipelines.explorer.app import create_app
from warehouse.paths import dashboards_dir, data_dir, warehouse_path
from warehouse.query import connect_readonly

DEFAULT_PORT = 8765


def cmd_serve(args) -> int:
    warehouse = warehouse_path(data_dir())
    connect_readonly(warehouse).close()  # a missing or unreadable warehouse fails here, in one line
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as e:
        print(
            f"hubmine: error: cannot listen on {args.host}:{args.port} ({e.strerror}); pick another --port "
            "(0 picks a free one)",
            file=sys.stderr,
        )
        return 1
    sock.listen(2048)  # accepting from here on: the URL printed below answers at once
    url = f"http://{args.host}:{sock.getsockname()[1]}/"
    print(f"explorer over {warehouse} (read-only) at {url} (Ctrl-C stops); JSON API under {url}api/", flush=True)
    app = create_app(warehouse, dashboards_dir(data_dir()))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=args.access_log))
    server.run(sockets=[sock])
    return 0


def register(sub) -> None:
    s = verb(
        sub,
        "serve",
        "Serve the explorer over the warehouse, opened read-only for each request (a "
        "crawl can load meanwhile): search any model by id, its page (ancestors and "
        "descendants, licenses along the lineage with violations, edge evidence, weight "
        "verdicts, card facts, history across crawls), families and licenses. Every page "
        "reads a JSON API scripts can use too: /api/models?q=TEXT, "
        "/api/models/AUTHOR/NAME, /api/models/AUTHOR/NAME/family (and /graph, /bom), "
        "/api/index, /api/families, /api/licenses/violations (add ?format=csv to lists, "
        "?scope=real|synthetic|all to filter). The static site of `hubmine dashboards` "
        "is served under /dashboards/ when built.",
        cmd_serve,
    )
    listen_options(s, DEFAULT_PORT, f"port (default {DEFAULT_PORT}; 0 picks a free one)")
    access_log_option(s)
