"""End to end on synthetic hubs: generate, serve, crawl (metadata-only listing), analyse, build dashboards;
per stage the wall time, peak memory and request counts, the growth ratio t(1M)/t(100k), and the crawl
time HF's published rate limits would impose for the requests measured. (The full crawl in each history mode
is `python -m bench.history`; `make bench-e2e` runs both.)

    python -m bench.e2e [--sizes 10000,100000,1000000] [--dir /tmp/hubmine-bench]

Synthetic hubs are cached in --dir (generation is reported once). Only loopback addresses are used.
"""

from __future__ import annotations

import json

from bench.harness import (
    HM,
    LIMITS,
    crawl_row,
    crawl_stage,
    duration,
    env_for,
    fresh,
    parser,
    snapshot_path,
    start,
    synthesize,
    timed,
    windows,
)


def projection(api: int, resolvers: int) -> str:
    need = {"api": api, "resolvers": resolvers}
    return ", ".join(f"{who} {duration(windows(need, q) * 5)}" for who, q in LIMITS.items())


def run_size(n: int, base) -> dict:
    res: dict = {"models": n, "mode": "metadata"}
    generated = synthesize(base, n)
    if generated:
        res["generate"] = generated
    home = fresh(base / f"home-{n}-metadata")
    res["crawl"] = crawl_stage(snapshot_path(base, n), base, home, base / f"crawl-{n}.log", "--metadata-only")
    row = crawl_row(home)
    res["requests"] = {"api": row["api_requests"], "resolvers": row["resolver_requests"], "retries": row["retries"]}
    res["analyze"] = timed([*HM, "analyze"], env_for(home), base / f"analyze-{n}.log")
    res["dashboards"] = timed([*HM, "dashboards"], env_for(home), base / f"dashboards-{n}.log")
    res["pipeline_seconds"] = sum(res[s]["seconds"] for s in ("crawl", "analyze", "dashboards"))
    return res


def main() -> int:
    ap = parser(__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="hub sizes, comma-separated")
    args = ap.parse_args()
    base = start(args)
    results = []
    for n in (int(s) for s in args.sizes.split(",") if s):
        r = run_size(n, base)
        results.append(r)
        stages = " | ".join(
            f"{s} {r[s]['seconds']:.1f}s {r[s]['peak_rss_mb']:.0f} MiB"
            for s in ("generate", "crawl", "analyze", "dashboards")
            if s in r
        )
        q = r["requests"]
        print(
            f"{n:>9,} models (metadata): {stages} | requests api {q['api']:,} resolvers {q['resolvers']:,} "
            f"retries {q['retries']} | under HF limits: {projection(q['api'], q['resolvers'])}",
            flush=True,
        )
    by_size = {r["models"]: r for r in results}
    if 1_000_000 in by_size and 100_000 in by_size:
        big, small = by_size[1_000_000], by_size[100_000]
        print(
            f"growth t(1M)/t(100k): crawl {big['crawl']['seconds'] / small['crawl']['seconds']:.1f}x, "
            f"crawl+analyses+dashboards {big['pipeline_seconds'] / small['pipeline_seconds']:.1f}x"
        )
    (base / "e2e.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
