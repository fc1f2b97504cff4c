"""A crawl's identity and progress on disk, so any process can resume it.

`lake/crawls/<crawl_id>/crawl.json` says what is being crawled (endpoint, mode, scope) and how far it
got; the landed units beside it are the progress. Running the same crawl again resumes the open one;
a crawl with other settings abandons it (its landed files stay for inspection, nothing is loaded).
Only one crawl runs at a time per data dir (an advisory lock the kernel drops if the process dies).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from pipelines.config import CRAWL_MODES, HISTORY_MODES, CrawlMode, HistoryMode, check_choice
from pipelines.crawl.gitremote import default_history
from pipelines.errors import CrawlBusy
from warehouse.lake import remove_partials, write_json_atomic

log = logging.getLogger("hubmine.crawl")
SHARDS = 16


@dataclass(frozen=True)
class CrawlSpec:
    endpoint: str
    mode: CrawlMode = "full"
    author: str | None = None
    search: str | None = None
    limit: int | None = None
    history: HistoryMode = field(default_factory=default_history)

    def __post_init__(self):
        check_choice("mode", self.mode, CRAWL_MODES)
        check_choice("history", self.history, HISTORY_MODES)
        if self.history == "git" and self.mode == "full" and default_history() != "git":
            raise ValueError("history via git needs a git >= 2.30 binary on PATH; use history 'api'")

    @property
    def scope(self) -> dict:
        return {"author": self.author, "search": self.search, "limit": self.limit}

    @property
    def whole_hub(self) -> bool:
        return not (self.author or self.search or self.limit)


class CrawlLock:
    """Held while crawl work runs: exclusive for opening, listing and loading a crawl, shared for shards.

    Shard workers of one crawl may run side by side (shared); a second crawl fails fast with a clear
    error. Re-entrant within a process, so an orchestrator holding the exclusive lock can run stages.
    """

    _held: dict[str, int] = {}

    def __init__(self, lake: Path, shared: bool = False, wait_s: float = 0.0):
        self.path = Path(lake) / "crawls" / ".lock"
        self.shared = shared
        self.wait_s = wait_s  # Dagster runs of one crawl queue behind each other; the CLI fails fast
        self.fh: TextIO | None = None

    def __enter__(self) -> CrawlLock:
        key = str(self.path)
        if CrawlLock._held.get(key):
            CrawlLock._held[key] += 1
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.fh = open(self.path, "a+")
        try:
            self._acquire(fh)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise CrawlBusy(holder, self.path) from None
        if not self.shared:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
        CrawlLock._held[key] = 1
        return self

    def _acquire(self, fh: TextIO) -> None:
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(fh, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)

    def __exit__(self, *exc) -> None:
        key = str(self.path)
        CrawlLock._held[key] -= 1
        if CrawlLock._held[key] == 0 and self.fh is not None:
            fcntl.flock(self.fh, fcntl.LOCK_UN)
            self.fh.close()
            self.fh = None


def shard_of(model_id: str, shards: int = SHARDS) -> int:
    """Stable shard of a repo id (FNV-1a, independent of Python's hash seed)."""
    h = 0xCBF29CE484222325
    for b in model_id.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h % shards


def shard_key(shard: int) -> str:
    return f"{shard:02d}"


class CrawlSession:
    def __init__(self, root: Path, manifest: dict):
        self.root = Path(root)
        self.manifest = manifest

    # -- identity ---------------------------------------------------------------------------------
    @property
    def crawl_id(self) -> str:
        return self.manifest["crawl_id"]

    @property
    def spec(self) -> CrawlSpec:
        return CrawlSpec(**self.manifest["spec"])

    @property
    def listing_dir(self) -> Path:
        return self.root / "listing"

    @property
    def repos_dir(self) -> Path:
        return self.root / "repos"

    @property
    def spaces_dir(self) -> Path:
        return self.root / "spaces"

    @property
    def aliases_dir(self) -> Path:
        return self.root / "aliases"

    def shard_dir(self, shard: int) -> Path:
        return self.repos_dir / f"shard-{shard_key(shard)}"

    @property
    def work_dir(self) -> Path:
        """Scratch space of the per-repo work (clones, downloads); never part of what lands."""
        return self.root / "work"

    def clear_work(self) -> None:
        shutil.rmtree(self.work_dir, ignore_errors=True)

    # -- lifecycle --------------------------------------------------------------------------------
    @staticmethod
    def crawls_dir(lake: Path) -> Path:
        return Path(lake) / "crawls"

    @classmethod
    def all(cls, lake: Path) -> list[CrawlSession]:
        out = []
        d = cls.crawls_dir(lake)
        if d.exists():
            for m in sorted(d.glob("*/crawl.json")):
                try:
                    out.append(cls(m.parent, json.loads(m.read_text())))
                except (OSError, ValueError) as e:
                    log.warning("ignoring unreadable crawl manifest %s: %s", m, e)
        return out

    @classmethod
    def current(cls, lake: Path) -> CrawlSession | None:
        open_ = [s for s in cls.all(lake) if s.manifest.get("status") == "open"]
        return open_[-1] if open_ else None

    @classmethod
    def open(cls, lake: Path, spec: CrawlSpec) -> CrawlSession:
        """Resume the open crawl with this spec, or start a new one."""
        current = cls.current(lake)
        if current is not None:
            if current.manifest["spec"] == asdict(spec):
                current.manifest["runs"] = current.manifest.get("runs", 1) + 1
                current.save()
                for stage in (current.listing_dir, current.repos_dir, current.spaces_dir, current.aliases_dir):
                    remove_partials(stage)
                current.clear_work()
                log.info("resuming crawl %s (run %d)", current.crawl_id, current.manifest["runs"])
                return current
            log.warning(
                "abandoning unfinished crawl %s (%s): a crawl with other settings was asked for",
                current.crawl_id,
                current.manifest["spec"],
            )
            current.set_status("abandoned")
        now = datetime.now(UTC)
        crawl_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(2)}"
        root = cls.crawls_dir(lake) / crawl_id
        root.mkdir(parents=True)
        session = cls(
            root,
            {
                "crawl_id": crawl_id,
                "spec": asdict(spec),
                "status": "open",
                "runs": 1,
                "started_at": now.isoformat(),
                "stages": {},
            },
        )
        session.save()
        return session

    def save(self) -> None:
        write_json_atomic(self.root / "crawl.json", self.manifest)

    def set_status(self, status: str) -> None:
        self.manifest["status"] = status
        self.save()

    def stage_done(self, stage: str) -> bool:
        return bool(self.manifest["stages"].get(stage, {}).get("done"))

    def finish_stage(self, stage: str, **info) -> None:
        self.manifest["stages"][stage] = {"done": True, **info}
        self.save()
