"""Progress reporting for long crawl stages: a rich bar on a terminal, log lines under Dagster."""

from __future__ import annotations

import logging
import sys
import time


class Progress:
    """No-op base; `task` opens a counter, `advance` moves it, `done` closes it."""

    def task(self, name: str, total: int | None) -> None: ...

    def advance(self, name: str, n: int = 1, **info) -> None: ...

    def done(self, name: str) -> None: ...


class LogProgress(Progress):
    """Logs a line per task at most every `every_s` seconds (for Dagster runs and non-terminals)."""

    def __init__(self, logger: logging.Logger | logging.LoggerAdapter, every_s: float = 10.0):
        self.log = logger
        self.every_s = every_s
        self.state: dict[str, list] = {}

    def task(self, name, total):
        if name not in self.state:
            self.log.info("%s: started%s", name, f" ({total:,} to do)" if total else "")
        self.state[name] = [0, total, time.monotonic(), time.monotonic()]

    def advance(self, name, n=1, **info):
        st = self.state.setdefault(name, [0, None, time.monotonic(), time.monotonic()])
        st[0] += n
        now = time.monotonic()
        if now - st[3] >= self.every_s:
            st[3] = now
            rate = st[0] / max(1e-9, now - st[2])
            total = f"/{st[1]}" if st[1] else ""
            self.log.info(
                "%s: %d%s (%.0f/s)%s", name, st[0], total, rate, "".join(f" {k}={v}" for k, v in info.items())
            )

    def done(self, name):
        st = self.state.pop(name, None)
        if st:
            self.log.info("%s: %d done in %.1fs", name, st[0], time.monotonic() - st[2])


def stderr_logger(name: str = "hubmine.progress") -> logging.Logger:
    """A logger that writes timestamped progress lines to stderr whatever the root logger's level."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
