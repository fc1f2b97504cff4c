"""How far an open crawl got: which stages and shard partitions have landed, and what is still missing.

The warehouse loads a crawl only when nothing is missing, however its stages were run (one CLI process, a
Dagster job, one partition at a time, a backfill); until then `crawls` says it is partial and names the gap.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from pipelines.crawl.aliases import lookups_done
from pipelines.crawl.repos import plan_path, shard_todo
from pipelines.crawl.session import SHARDS, CrawlSession, CrawlSpec, shard_key


def missing_shards(session: CrawlSession) -> list[str]:
    """Partition keys of `repo_details` whose repos have not all landed (all of them before planning)."""
    if not plan_path(session).exists():
        return [shard_key(s) for s in range(SHARDS)]
    return [shard_key(s) for s in range(SHARDS) if shard_todo(session, s)]


def missing_parts(session: CrawlSession) -> list[str]:
    """What must still land before the crawl can be loaded, as asset names (`repo_details[03]`)."""
    missing = [] if session.stage_done("listing") else ["hub_listing"]
    if not lookups_done(session):
        missing.append("parent_aliases")
    if session.spec.mode == "full":
        missing += [f"repo_details[{k}]" for k in missing_shards(session)]
        if not session.stage_done("spaces"):
            missing.append("hub_spaces")
    return missing


def resumable(lake: Path, spec: CrawlSpec) -> CrawlSession | None:
    """The open crawl that running `spec` again would resume, if any."""
    current = CrawlSession.current(lake)
    return current if current is not None and current.manifest["spec"] == asdict(spec) else None


def describe(session: CrawlSession) -> str:
    """One line on how far the crawl got, e.g. `listing done (558 models), 5 of 16 shards landed`."""
    listing = session.manifest["stages"].get("listing")
    parts = [f"listing done ({listing.get('items', 0):,} models)" if listing else "listing not finished"]
    if session.spec.mode == "full":
        parts.append(f"{SHARDS - len(missing_shards(session))} of {SHARDS} repo shards landed")
        parts.append("spaces listed" if session.stage_done("spaces") else "spaces not listed yet")
    return ", ".join(parts)


def summarize_missing(missing: list[str]) -> str:
    """`repo_details[00..02, 05], hub_spaces`: shard keys folded into one bracket."""
    shards = [m[len("repo_details[") : -1] for m in missing if m.startswith("repo_details[")]
    others = [m for m in missing if not m.startswith("repo_details[")]
    return ", ".join(([f"repo_details[{_ranges(shards)}]"] if shards else []) + others)


def _ranges(keys: list[str]) -> str:
    nums = sorted(int(k) for k in keys)
    out, start = [], None
    for i, n in enumerate(nums):
        start = n if start is None else start
        if i + 1 == len(nums) or nums[i + 1] != n + 1:
            out.append(shard_key(start) if start == n else f"{shard_key(start)}..{shard_key(n)}")
            start = None
    return ", ".join(out)
