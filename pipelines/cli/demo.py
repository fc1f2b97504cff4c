"""`hubmine demo`: the real sample and a small synthetic hub, served on loopback and crawled offline."""

from __future__ import annotations

from pipelines.cli.options import home


def cmd_demo(args) -> int:
    from pipelines.demo import run_demo

    return run_demo(home(), models=args.models, seed=args.seed, port=args.port, progress=not args.no_progress)


def register(sub) -> None:
    d = sub.add_parser(
        "demo",
        help="serve the real sample plus a small synthetic hub on loopback, crawl both",
        description="Serve the bundled real sample and a small synthetic hub on 127.0.0.1, crawl "
        "them into the warehouse and say where it is. Works offline.",
    )
    d.add_argument("--models", type=int, default=2000, help="synthetic models beside the real sample (default 2000)")
    d.add_argument("--seed", type=int, default=42, help="seed of the synthetic hub (default 42)")
    d.add_argument("--port", type=int, default=0, help="replay hub port (default: a free one)")
    d.add_argument("--no-progress", action="store_true", help="log lines instead of progress bars")
    d.set_defaults(func=cmd_demo)
