"""Fixtures: real snapshot stores, replay hubs on loopback, and one crawl per fixture hub, shared by the tests that
only read it (a test that writes to a crawled home takes a copy: cheaper than crawling again)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # DEAD_HUB (tests/helpers.py), set before pipelines is imported
# One torch thread per process: the small checkpoints gain nothing from more, and spinning threads of two test
# workers (or of other work on the machine) on two cores cost several times the CPU.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import polars as pl  # noqa: E402
import pytest  # noqa: E402

from pipelines.crawl.client import COUNTER  # noqa: E402
from pipelines.replay.server import ReplayHub  # noqa: E402
from pipelines.replay.store import SnapshotStore, open_snapshots  # noqa: E402
from pipelines.replay.synth.generator import generate  # noqa: E402
from pipelines.resources import HubResource  # noqa: E402
from pipelines.runner import materialize_weights  # noqa: E402
from tests.helpers import REAL_SAMPLE, Analysed, analyse, chromium, copy_home, crawl_into  # noqa: E402
from tests.hubedit import renamed_family_snapshot  # noqa: E402

# Tests that share an expensive fixture run on one pytest-xdist worker (`make test`: `-n 2 --dist loadgroup`), so
# each crawl is still made once. A test's group: the first of these session fixtures it uses (its own or through
# other fixtures), else its module when it uses a module-scoped fixture. pytest-xdist's own grouping (the
# xdist_group marker) does not take effect under pytest 9 (it rewrites `item._nodeid`, which pytest 9 no longer
# reads), so the workers write each test's group to a file and the scheduler below reads it.
GROUPS = ("analysed_real", "analysed_synth", "synth_listed", "analysed_renamed")
GROUPS_DIR = "HUBMINE_TEST_GROUPS"  # environment variable: the folder the workers write their groups to


def group_of(item: pytest.Item) -> str | None:
    names = getattr(item, "fixturenames", ())
    group = next((g for g in GROUPS if g in names), None)
    info = getattr(item, "_fixtureinfo", None)
    if group is None and info is not None:
        if any(defs[-1].scope == "module" for defs in info.name2fixturedefs.values()):
            group = item.nodeid.split("::")[0]
    return group


def pytest_configure(config):
    if not hasattr(config, "workerinput") and config.getoption("dist", "no") == "loadgroup":
        os.environ[GROUPS_DIR] = tempfile.mkdtemp(prefix="hubmine-test-groups-")


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput") and (out := os.environ.pop(GROUPS_DIR, None)):
        shutil.rmtree(out, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    out = os.environ.get(GROUPS_DIR)
    if out and hasattr(config, "workerinput"):
        groups = {item.nodeid: g for item in items if (g := group_of(item))}
        (Path(out) / f"{config.workerinput['workerid']}.json").write_text(json.dumps(groups))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByGroup(LoadScopeScheduling):
        """Each group is one unit of work (the largest first); every other test is a unit of its own."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:  # read once every worker has collected (scheduling starts only then)
                self.groups = {}
                for f in Path(os.environ[GROUPS_DIR]).glob("*.json"):
                    self.groups.update(json.loads(f.read_text()))
            return self.groups.get(nodeid, nodeid)

    return ByGroup(config, log)


# -- snapshot stores -------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> SnapshotStore:
    return open_snapshots([REAL_SAMPLE], tmp_path_factory.mktemp("real-store"))


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "hub"
    generate(out, 400, seed=3, checkpoint_models=24)
    return out


@pytest.fixture(scope="session")
def synth_truth(synth_dir) -> dict[str, pl.DataFrame]:
    """The synthetic hub's ground truth, table by table (models, edges, commits, renames)."""
    return {p.stem: pl.read_parquet(p) for p in sorted((synth_dir / "truth").glob("*.parquet"))}


@pytest.fixture(scope="session")
def synth_store(synth_dir) -> SnapshotStore:
    return open_snapshots([synth_dir])


@pytest.fixture(scope="session")
def renamed_store(tmp_path_factory) -> SnapshotStore:
    """A family whose children name their base by a pre-rename id and by another letter case (tests/hubedit.py)."""
    snap = renamed_family_snapshot(tmp_path_factory.mktemp("renamed") / "snap")
    return open_snapshots([snap], tmp_path_factory.mktemp("renamed-store"))


@pytest.fixture
def replay():
    """Start replay hubs on loopback for the test; all are stopped afterwards."""
    hubs = []

    def start(store, **kw) -> ReplayHub:
        hub = ReplayHub(store, **kw).start()
        hubs.append(hub)
        return hub

    yield start
    for h in hubs:
        h.stop()


# -- a real headless Chromium --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    """One Chromium for a module's browser tests, driven by Playwright (no browser is downloaded). Module-scoped:
    Playwright's event loop must not outlive the module, or in-process Dagster runs after it share that loop."""
    exe = chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


# -- one crawl per fixture hub (read them, never write: copy_home first) --------------------------------------
@pytest.fixture(scope="session")
def analysed_real(tmp_path_factory, real_store) -> Analysed:
    """The real sample crawled in full and analysed. History through the REST API: the sample has no history to
    read, and git mode is exercised on the synthetic hub (analysed_synth) and in test_git_history."""
    return analyse(tmp_path_factory.mktemp("analysed-real"), real_store, history="api")


@pytest.fixture(scope="session")
def analysed_synth(tmp_path_factory, synth_store) -> Analysed:
    """The 400-model synthetic hub crawled in full (history through git) and analysed; its truth is in
    synth_dir/truth."""
    return analyse(tmp_path_factory.mktemp("analysed-synth"), synth_store)


@pytest.fixture(scope="session")
def analysed_renamed(tmp_path_factory, renamed_store) -> Analysed:
    return analyse(tmp_path_factory.mktemp("analysed-renamed"), renamed_store, mode="metadata")


@pytest.fixture(scope="session")
def synth_listed(tmp_path_factory, synth_store) -> tuple:
    """The synthetic hub's listing only (metadata mode): (home, crawls row, the hub's request counts)."""
    home = tmp_path_factory.mktemp("synth-listed")
    with ReplayHub(synth_store) as hub:
        row = crawl_into(home, hub.url, mode="metadata")
        return home, row, hub.stats()


class Weighed(Analysed):
    """analysed_synth, copied, with the weight checks run over the served hub, and the reads they made."""

    def __init__(self, home, result, reads: dict[str, int]):
        super().__init__(home, result)
        self.reads = reads


@pytest.fixture(scope="session")
def synth_weighed(analysed_synth, synth_store, tmp_path_factory) -> Weighed:
    home = copy_home(analysed_synth.home, tmp_path_factory.mktemp("synth-weighed") / "home")
    with ReplayHub(synth_store) as hub:
        before = COUNTER.snapshot()
        result = materialize_weights(home, HubResource(endpoint=hub.url, max_retries=1), budget_gb=1.0)
        after = COUNTER.snapshot()
    return Weighed(home, result, {k: after[k] - before.get(k, 0) for k in after})
