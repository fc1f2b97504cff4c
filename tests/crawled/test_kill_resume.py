"""A crawl killed with SIGKILL at any point and run again ends with the same warehouse as a clean crawl."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from tests.helpers import content, query


def _crawl_proc(home, url) -> subprocess.Popen:
    env = {**os.environ, "HUBMINE_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "crawl", "--endpoint", url, "--no-progress", "--concurrency", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _started(proc: subprocess.Popen) -> bool:
    """Wait until the crawl starts its work (the `crawling ...` line, after imports and the endpoint probe)."""
    return any(line.startswith(b"crawling ") for line in proc.stderr)


def test_sigkill_at_random_points_then_resume_equals_clean_crawl(analysed_synth, synth_store, replay, tmp_path):
    """The clean crawl to compare with is analysed_synth's: the same hub, crawled in full once, never killed.
    Each kill lands at a random moment of the crawl's work (counted from its start, not from the process's)."""
    hub = replay(synth_store)
    killed = tmp_path / "killed"
    rng = random.Random(7)
    kills = 0
    for delay in (rng.uniform(0.2, 1.0), rng.uniform(0.5, 2.0), rng.uniform(1.0, 3.0), rng.uniform(1.0, 3.5)):
        proc = _crawl_proc(killed, hub.url)
        if _started(proc):
            time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 2, "the crawl finished before it could be killed; make the hub bigger"
    final = _crawl_proc(killed, hub.url)
    assert final.wait(300) == 0, final.stderr.read().decode()[-2000:]
    assert content(killed) == content(analysed_synth.home)
    assert not list((killed / "lake" / "crawls").glob("*/work")), "clones of killed runs are cleaned up"
    assert query(killed, "SELECT count(*) FROM (SELECT model_id FROM models GROUP BY 1 HAVING count(*) > 1)")[0][0] == 0
