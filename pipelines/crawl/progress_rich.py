"""A terminal progress display for `hubmine crawl` (rich bars on stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as Bars

from pipelines.crawl.progress import Progress

LABELS = {"listing": "listing models", "repos": "repos (cards, commits, refs)", "spaces": "listing spaces"}


class RichProgress(Progress):
    def __init__(self):
        self.bars = Bars(
            TextColumn("{task.description:<30}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self.ids: dict[str, TaskID] = {}

    def __enter__(self):
        self.bars.start()
        return self

    def __exit__(self, *exc):
        self.bars.stop()

    def task(self, name, total):
        if name in self.ids:
            self.bars.update(self.ids[name], total=total)
        else:
            self.ids[name] = self.bars.add_task(LABELS.get(name, name), total=total, rate="")

    def advance(self, name, n=1, **info):
        if name not in self.ids:
            self.task(name, None)
        t = self.ids[name]
        self.bars.advance(t, n)
        task = self.bars.tasks[t]
        if task.elapsed:
            self.bars.update(t, rate=f"{task.completed / task.elapsed:,.0f}/s")

    def done(self, name):
        if name in self.ids:
            t = self.ids[name]
            task = self.bars.tasks[t]
            self.bars.update(t, total=task.completed)
