"""The dashboard site opened in a real headless Chromium (one browser, each page rendered once): every page renders
its figures without JS errors, and a hostile model string shows as text, never as a script."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards.site import PAGES, build_site

HOSTILE = "<script>alert(1)</script>"


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


@pytest.fixture(scope="module")
def rendered(hostile_site, browser) -> dict[str, tuple[str, list[str]]]:
    """Each page of the site as Chromium renders it once: its DOM, and what it logged as errors."""
    out = {}
    for name in (*(p[0] for p in PAGES), "index.html"):
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: msg.type == "error" and errors.append(msg.text))
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto((hostile_site / name).as_uri(), wait_until="load")
        page.wait_for_load_state("networkidle")
        out[name] = (page.content(), errors)
        page.close()
    return out


@pytest.mark.browser
def test_every_page_renders_its_figures_without_js_errors(hostile_site, rendered):
    assert (hostile_site / "assets" / "plotly.min.js").stat().st_size > 1_000_000  # local, no CDN
    assert set(rendered) == {p[0] for p in PAGES} | {"index.html"}
    for name, (dom, logged) in rendered.items():
        html = (hostile_site / name).read_text()
        assert "cdn" not in html.lower().split("<body>")[0]
        errors = re.search(r'<pre id="js-errors">(.*?)</pre>', dom, re.S).group(1)
        assert errors.strip() == "" and logged == [], f"{name}: {errors} {logged}"
        wanted = html.count('class="fig"')
        rendered_plots = dom.count('class="main-svg"')
        if wanted:
            assert rendered_plots >= wanted, f"{name}: {rendered_plots} plots rendered of {wanted}"
        assert "crawl <b>" in dom


@pytest.mark.browser
def test_hostile_strings_render_as_text(rendered):
    for name in ("overview.html", "families.html", "licenses.html"):
        dom = rendered[name][0]
        assert HOSTILE not in dom, f"{name}: a script element was injected"
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom, f"{name}: the string is not shown as text"
        assert "alert: 1" not in dom


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
