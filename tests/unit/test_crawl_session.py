"""The crawl session without a hub: one crawl at a time per data dir, resume of an open crawl, abandonment."""

from __future__ import annotations

import json
import subprocess
import sys

from pipelines.crawl.session import CrawlLock, CrawlSession, CrawlSpec
from pipelines.errors import CrawlBusy


def test_only_one_crawl_at_a_time(tmp_path):
    with CrawlLock(tmp_path / "lake"):
        code = (
            f"from pipelines.crawl.session import CrawlLock; from pathlib import Path\n"
            f"with CrawlLock(Path({str(tmp_path / 'lake')!r})): pass"
        )
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert r.returncode != 0 and "another crawl is running" in r.stderr
    with CrawlLock(tmp_path / "lake"):
        pass  # released on exit
    assert CrawlBusy


def test_resume_continues_an_open_crawl_and_other_settings_abandon_it(tmp_path):
    lake = tmp_path / "lake"
    a = CrawlSession.open(lake, CrawlSpec("http://127.0.0.1:1", "full"))
    again = CrawlSession.open(lake, CrawlSpec("http://127.0.0.1:1", "full"))
    assert again.crawl_id == a.crawl_id and again.manifest["runs"] == 2
    other = CrawlSession.open(lake, CrawlSpec("http://127.0.0.1:1", "metadata"))
    assert other.crawl_id != a.crawl_id
    assert json.loads((a.root / "crawl.json").read_text())["status"] == "abandoned"
