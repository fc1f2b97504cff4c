"""The dashboard site opened in a real headless Chromium: every page renders its figures without JS
errors, and a hostile model string shows as text, never as a script."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dashboards.site import PAGES, build_site

HOSTILE = "<script>alert(1)</script>"


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe:
        return exe
    if shutil.which("apt-get") and Path("/proc/self/status").read_text().find("Uid:\t0\t") >= 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, timeout=900)
        exe = shutil.which("chromium")
    if not exe:
        pytest.skip("Debian's chromium is not installed and cannot be installed here (needs root and apt)")
    return exe


def dump_dom(exe: str, page: Path) -> str:
    out = subprocess.run(
        [
            exe,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


@pytest.fixture(scope="module")
def hostile_site(analysed_real, tmp_path_factory) -> Path:
    """The real-sample warehouse with a model-controlled string that tries to run a script."""
    home = tmp_path_factory.mktemp("hostile")
    shutil.copy(analysed_real.home / "warehouse.duckdb", home / "warehouse.duckdb")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        crawl = con.execute("SELECT crawl_id FROM crawls").fetchall()[0][0]
        con.execute("UPDATE models SET license = ? WHERE license = 'llama2'", [HOSTILE])  # a top license: on a chart
        con.execute("UPDATE family_stats SET top_license = ? WHERE family_id = 'meta-llama/Llama-2-7b'", [HOSTILE])
        con.execute(
            "UPDATE license_violations SET child_license = ? WHERE rowid = (SELECT min(rowid) FROM license_violations)",
            [HOSTILE],
        )
        assert crawl
    finally:
        con.close()
    build_site(home / "warehouse.duckdb", home / "dashboards")
    return home / "dashboards"


@pytest.mark.browser
def test_every_page_renders_its_figures_without_js_errors(hostile_site):
    exe = chromium()
    assert (hostile_site / "assets" / "plotly.min.js").stat().st_size > 1_000_000  # local, no CDN
    for name, _, _ in PAGES + (("index.html", None, None),):
        html = (hostile_site / name).read_text()
        assert "cdn" not in html.lower().split("<body>")[0]
        dom = dump_dom(exe, hostile_site / name)
        errors = re.search(r'<pre id="js-errors">(.*?)</pre>', dom, re.S).group(1)
        assert errors.strip() == "", f"{name}: {errors}"
        wanted = html.count('class="fig"')
        rendered = dom.count('class="main-svg"')
        if wanted:
            assert rendered >= wanted, f"{name}: {rendered} plots rendered of {wanted}"
        assert "crawl <b>" in dom


@pytest.mark.browser
def test_hostile_strings_render_as_text(hostile_site):
    exe = chromium()
    for name in ("overview.html", "families.html", "licenses.html"):
        dom = dump_dom(exe, hostile_site / name)
        assert HOSTILE not in dom, f"{name}: a script element was injected"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom, f"{name}: the string is not shown as text"
        assert "alert: 1" not in dom


def test_dagster_definitions_schedule_and_refresh_sensor(analysed_real):
    import datetime

    import dagster as dg

    from pipelines.automation import daily_crawl, refresh_after_crawl
    from pipelines.definitions import defs

    repo = defs.get_repository_def()
    assert {"crawl_hub", "refresh_analyses"} <= {j.name for j in repo.get_all_jobs()}
    assert repo.has_schedule_def("daily_crawl") and repo.has_sensor_def("refresh_after_crawl")
    req = daily_crawl.evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=datetime.datetime(2026, 1, 1, 3))
    ).run_requests[0]
    assert req.tags["dagster/asset_partition_range_end"] == "15"
    refresh = defs.resolve_job_def("refresh_analyses")
    keys = {k.to_user_string() for k in refresh.asset_layer.executable_asset_keys}
    assert {"family_stats", "license_violations", "bn_edges", "reuse_stats", "dashboard_site"} <= keys
    assert refresh_after_crawl.asset_key == dg.AssetKey("crawls")


def test_commits_per_month_show_each_commit_once_and_categories_as_shares(analysed_synth):
    from dashboards import figures
    from dashboards.data_access import Data

    con = duckdb.connect(str(analysed_synth.home / "warehouse.duckdb"), read_only=True)
    try:
        crawl = con.execute("SELECT crawl_id FROM crawls").fetchall()[0][0]
        data = Data(con, crawl)
        fig = figures.commit_timeline(data.dicts("commit_timeline"), data.dicts("commit_category_months"))
        truth = dict(
            con.execute("""SELECT date_trunc('month', date), count(*) FROM commits WHERE date IS NOT NULL
                                    GROUP BY 1""").fetchall()
        )
        labelled = con.execute("SELECT count(*) FROM commit_categories").fetchall()[0][0]
    finally:
        con.close()
    bars = fig.data[0]
    assert dict(zip(bars.x, bars.y, strict=True)) == truth
    assert sum(truth.values()) < labelled  # several categories per commit
    shares = [y for trace in fig.data[1:] for y in trace.y]
    assert shares and all(0 < s <= 1 for s in shares)
