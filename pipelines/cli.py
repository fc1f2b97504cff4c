"""`hubmine`: crawl a model hub into DuckDB, analyse its ecosystem, browse dashboards, check lineage from weights.

Data lives in $HUBMINE_HOME (default ./data): warehouse.duckdb, the Parquet lake and dashboards/.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

from pipelines import cli_analyses, cli_cards, cli_hub, cli_serve, cli_versioning, cli_weights
from pipelines.cli_common import home, positive_int
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


# -- crawl -------------------------------------------------------------------------------------------
def cmd_crawl(args) -> int:
    from pipelines.crawl.client import default_endpoint, probe_endpoint
    from pipelines.crawl.session import CrawlSpec
    from pipelines.crawl.state import describe, resumable
    from pipelines.resources import HubResource
    from pipelines.runner import crawl_outcome, materialize_crawl
    from warehouse.paths import lake_dir, warehouse_path

    data = home()
    endpoint = (args.endpoint or default_endpoint()).rstrip("/")
    probe_endpoint(endpoint, os.environ.get("HF_TOKEN") or None)
    hub = HubResource(endpoint=endpoint, timeout_s=args.timeout, max_retries=args.max_retries,
                      concurrency=args.concurrency)
    mode = "metadata" if args.metadata_only else "full"
    if mode == "full" and args.history is None:
        from pipelines.crawl.gitremote import default_history

        args.history = default_history()
    history = f", history via {args.history}" if mode == "full" else ""
    spec = CrawlSpec(endpoint, mode, args.author, args.search, args.limit,
                     **({"history": args.history} if args.history else {}))
    resumed = resumable(lake_dir(data), spec)
    if resumed is not None:
        print(f"resuming crawl {resumed.crawl_id} ({describe(resumed)})", file=sys.stderr)
    print(f"crawling {endpoint} ({mode}{_scope(args)}{history}) into {warehouse_path(data)}", file=sys.stderr)
    t0 = time.monotonic()
    with _progress(args.no_progress) as progress:
        result = materialize_crawl(data, hub, mode=mode, author=args.author, search=args.search, limit=args.limit,
                                   progress=progress, repo_config={"max_tree_commits": args.max_tree_commits,
                                                                   "fetch_configs": args.fetch_configs},
                                   history=args.history)
    row = crawl_outcome(data, result)
    print(f"crawl {row['crawl_id']} finished in {time.monotonic() - t0:.1f}s: {row['models_seen']} models "
          f"({row['models_changed']} new or changed), {row['repos_fetched']} repos fetched, "
          f"{row['spaces_seen']} spaces; requests: {row['api_requests']} api, {row['resolver_requests']} resolver, "
          f"{row['git_requests']} git ({row['retries']} retries), {row.get('alias_requests') or 0} parent-id "
          f"lookups; {row['errors']} records quarantined (see crawl_errors)")
    print(f"warehouse: {warehouse_path(data)}")
    return 0


def _scope(args) -> str:
    parts = [f"{k}={v}" for k, v in (("author", args.author), ("search", args.search), ("limit", args.limit)) if v]
    return ", " + ", ".join(parts) if parts else ", whole hub"


class _progress:
    """Bars on a terminal, else a log line per stage every few seconds; both written as the crawl goes."""

    def __init__(self, disabled: bool):
        self.disabled = disabled or not sys.stderr.isatty()
        self.impl = None

    def __enter__(self):
        from pipelines.crawl.progress import LogProgress, stderr_logger

        if self.disabled:
            return LogProgress(stderr_logger(), every_s=5.0)
        from pipelines.crawl.progress_rich import RichProgress

        self.impl = RichProgress().__enter__()
        return self.impl

    def __exit__(self, *exc):
        if self.impl is not None:
            self.impl.__exit__(*exc)


# -- sql ---------------------------------------------------------------------------------------------
def cmd_sql(args) -> int:
    from warehouse.paths import warehouse_path
    from warehouse.query import format_rows, run_query

    sql = sys.stdin.read() if args.query == "-" else args.query
    cols, rows = run_query(warehouse_path(home()), sql)
    shown = rows if args.format != "table" or args.max_rows <= 0 else rows[: args.max_rows]
    sys.stdout.write(format_rows(cols, shown, args.format))
    if len(shown) < len(rows):
        print(f"(showing {len(shown)} of {len(rows)} rows; --max-rows 0 shows all, --format csv exports)", file=sys.stderr)
    return 0


# -- replay hub ---------------------------------------------------------------------------------------
def cmd_hub_serve(args) -> int:
    import signal

    from pipelines.replay.limits import FaultInjector, parse_faults, parse_rate_limits
    from pipelines.replay.server import ReplayHub
    from pipelines.replay.store import open_snapshots

    store = open_snapshots([Path(s) for s in args.snapshot], Path(args.workdir) if args.workdir else None)
    faults = FaultInjector(parse_faults(args.faults), seed=args.fault_seed, stall_s=args.stall,
                           retry_after_s=args.retry_after, paths=args.fault_paths)
    hub = ReplayHub(store, rate_limits=parse_rate_limits(args.rate_limit), faults=faults, host=args.host,
                    port=args.port, access_log=args.access_log, git_cache=args.git_cache)
    counts = store.counts()
    print(f"replay hub: {counts['models']} models, {counts['spaces']} spaces ({store.meta('kind', 'unknown')}) "
          f"at {hub.url}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        hub.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        hub.httpd.server_close()
        hub.git.close()
    return 0


def cmd_hub_synth(args) -> int:
    from pipelines.replay.synth.generator import generate

    out = Path(args.out)
    if (out / "hub.sqlite").exists() and not args.force:
        print(f"hubmine: error: {out} already holds a snapshot (use --force to replace it)", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    last = [0.0]

    def progress(done, total):
        if time.monotonic() - last[0] > 5:
            last[0] = time.monotonic()
            print(f"  {done:,}/{total:,} models", file=sys.stderr, flush=True)

    manifest = generate(out, args.models, args.seed, args.checkpoints, progress)
    print(f"synthetic hub: {manifest['models']:,} models, {manifest['families']:,} families, {manifest['spaces']:,} "
          f"spaces, {manifest['checkpoint_models']} with checkpoints -> {out} ({time.monotonic() - t0:.1f}s); "
          f"ground truth in {out / 'truth'}")
    return 0


# -- demo --------------------------------------------------------------------------------------------
def cmd_demo(args) -> int:
    from pipelines.demo import run_demo

    return run_demo(home(), models=args.models, seed=args.seed, port=args.port, progress=not args.no_progress)


# -- parser ------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hubmine", description=__doc__, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("demo", help="serve the real sample plus a small synthetic hub on loopback, crawl both",
                       description="Serve the bundled real sample and a small synthetic hub on 127.0.0.1, crawl "
                                   "them into the warehouse and say where it is. Works offline.")
    d.add_argument("--models", type=int, default=2000, help="synthetic models beside the real sample (default 2000)")
    d.add_argument("--seed", type=int, default=42, help="seed of the synthetic hub (default 42)")
    d.add_argument("--port", type=int, default=0, help="replay hub port (default: a free one)")
    d.add_argument("--no-progress", action="store_true", help="log lines instead of progress bars")
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("crawl", help="crawl a hub into the warehouse (incremental, resumable)",
                       description="Crawl a Hugging Face-compatible hub into $HUBMINE_HOME/warehouse.duckdb. One "
                                   "listing pass gives all per-model metadata; per-repo work (cards, commits, files, "
                                   "refs) is done only for repos whose sha changed since the last crawl. A killed "
                                   "crawl resumes where it stopped when run again with the same options.")
    c.add_argument("--endpoint", help="hub URL (default: $HF_ENDPOINT or https://huggingface.co)")
    c.add_argument("--limit", type=positive_int, help="crawl only the first N models of the listing")
    c.add_argument("--author", help="only models of this user or organisation")
    c.add_argument("--search", help="only models whose id contains this text")
    c.add_argument("--metadata-only", action="store_true", help="listing only (about N/1000 requests, plus one "
                   "lookup per declared parent id no crawled model has): no cards, commits, refs or spaces")
    c.add_argument("--concurrency", type=positive_int, default=8, help="parallel per-repo requests (default 8)")
    c.add_argument("--timeout", type=float, default=30.0, help="HTTP timeout in seconds (default 30)")
    c.add_argument("--max-retries", type=int, default=5, help="retries of a failed call before it is quarantined")
    c.add_argument("--history", choices=["git", "api"], help="read commit history through git (one blobless "
                   "partial clone per changed repo) or the REST API (a tree listing per new commit); default: git "
                   "when a git >= 2.30 is on PATH, else api")
    c.add_argument("--max-tree-commits", type=int, default=50, help="api history: files-changed diffs for at most "
                   "this many newest commits per repo (default 50; git history has no such limit)")
    c.add_argument("--fetch-configs", choices=["all", "undeclared", "none"], default="undeclared",
                   help="download config.json for all repos, only those declaring no base model (default), or none")
    c.add_argument("--no-progress", action="store_true", help="log lines instead of progress bars")
    c.set_defaults(func=cmd_crawl)

    q = sub.add_parser("sql", help="run read-only SQL against the warehouse",
                       description="Run one SQL query against the warehouse, opened read-only (no writes, no file "
                                   "access). Tables: models, lineage_edges, licenses, commits, ... (see README).")
    q.add_argument("query", help='SQL text, or "-" to read it from stdin')
    q.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default table)")
    q.add_argument("--max-rows", type=int, default=200, help="rows shown in table format (0 = all; default 200)")
    q.set_defaults(func=cmd_sql)

    cli_analyses.register(sub)
    cli_analyses.register_site(sub)
    cli_serve.register(sub)
    cli_versioning.register(sub)
    cli_cards.register(sub)
    cli_weights.register(sub)

    h = sub.add_parser("hub", help="the offline replay hub: serve snapshots, generate synthetic hubs",
                       description="Serve snapshot directories over the HF REST API on loopback, or generate "
                                   "synthetic snapshots with known ground truth.")
    hs = h.add_subparsers(dest="hub_command", metavar="HUB_COMMAND")
    s = hs.add_parser("serve", help="serve snapshot directories as an HF-compatible hub",
                      description="Serve one or more snapshot directories (their union) as an HF-compatible REST API "
                                  "that an unmodified huggingface_hub client can use.")
    s.add_argument("--snapshot", action="append", required=True, help="snapshot directory (repeatable)")
    s.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=0, help="port (default: a free one, printed on start)")
    s.add_argument("--rate-limit", help='HF-style limits, e.g. "api=500/300,resolvers=3000/300,git=1000/300" '
                   '(quota/window s)')
    s.add_argument("--git-cache", type=int, default=256, help="bare repositories kept built for git requests (default 256)")
    s.add_argument("--faults", help='fault injection, e.g. "5xx=0.1,429=0.05,truncate=0.02,reset=0.01,timeout=0.01"')
    s.add_argument("--fault-seed", type=int, default=0, help="seed of the fault draws (default 0)")
    s.add_argument("--fault-paths", help="only inject faults on paths matching this regex (e.g. /refs$)")
    s.add_argument("--stall", type=float, default=5.0, help="seconds a `timeout` fault stalls (default 5)")
    s.add_argument("--retry-after", type=int, default=1, help="Retry-After of injected 429s (default 1)")
    s.add_argument("--workdir", help="where to build the merged store of several snapshots (default: a temp dir)")
    s.add_argument("--access-log", action="store_true", help="log every request")
    s.set_defaults(func=cmd_hub_serve)
    y = hs.add_parser("synth", help="generate a synthetic hub snapshot with ground truth",
                      description="Generate a deterministic synthetic hub (families, lineage, licenses, cards, "
                                  "commits, refs, spaces, CO2 facts, tiny safetensors checkpoints) calibrated to "
                                  "published figures, with its ground truth under OUT/truth.")
    y.add_argument("--models", type=int, required=True, help="number of models (100 to 1,000,000+)")
    y.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    y.add_argument("--out", required=True, help="output directory")
    y.add_argument("--checkpoints", type=int, help="models that get real tiny checkpoints (default ~4%%, max 160)")
    y.add_argument("--force", action="store_true", help="replace an existing snapshot in OUT")
    y.set_defaults(func=cmd_hub_synth)
    cli_hub.register(hs)
    return p


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=r".*is currently in (beta|preview)")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
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


if __name__ == "__main__":
    sys.exit(main())
