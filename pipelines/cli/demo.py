"""`hubmine demo`: the real sample and a small synthetic hub, served on loopback and crawled offline."""

from __future__ import annotations

from pipelines.cli.options import default_option, progress_option, seed_option, verb
from pipelines.cli.progress import progress_display
from pipelines.demo import run_demo
from warehouse.paths import data_dir


def cmd_demo(args) -> int:
    return run_demo(
        data_dir(), models=args.models, seed=args.seed, port=args.port, progress=progress_display(args.no_progress)
    )


def register(sub) -> None:
    d = verb(
        sub,
        "demo",
        "Serve the bundled real sample and a small synthetic hub on 127.0.0.1, crawl "
        "them into the warehouse and say where it is. Works offline.",
        cmd_demo,
    )
    default_option(d, "--models", 2000, "synthetic models beside the real sample")
    seed_option(d, 42, "seed of the synthetic hub")
    d.add_argument("--port", type=int, default=0, help="replay hub port (default: a free one)")
    progress_option(d)
