"""`hubmine serve` over the analysed real sample: the JSON API agrees with `hubmine family`, and the pages in a real
headless Chromium (Playwright driving Debian's chromium) search, open models and families, download tables, log
no console errors and show hostile model strings as text."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from analyses.family_index import LineageIndex, family_of
from tests.helpers import hubmine
from warehouse.results import named_sql

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ID = "evil/<img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def explorer_home(analysed_real, tmp_path_factory) -> Path:
    """The analysed real sample plus model-controlled strings that try to run scripts: a license, a language and
    a derivative whose id is a script element."""
    home = tmp_path_factory.mktemp("explorer")
    shutil.copy(analysed_real.home / "warehouse.duckdb", home / "warehouse.duckdb")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    try:
        parent = con.execute(
            "SELECT model_id FROM models WHERE NOT coalesce(synthetic, false) ORDER BY downloads DESC LIMIT 1"
        ).fetchall()[0][0]
        con.execute(
            "INSERT INTO models (model_id, author, downloads, license, languages, synthetic, crawl_id) "
            "SELECT ?, 'evil', 5, ?, [?], false, crawl_id FROM models WHERE model_id = ?",
            [HOSTILE_ID, HOSTILE, HOSTILE, parent],
        )
        con.execute(
            "INSERT INTO lineage_edges (child_id, parent_id, relation, source, crawl_id, resolved_parent_id) "
            "VALUES (?, ?, 'finetune', 'card', NULL, ?)",
            [HOSTILE_ID, parent, parent],
        )
    finally:
        con.close()
    return home


@pytest.fixture(scope="module")
def server(explorer_home):
    with serving(explorer_home) as url:
        yield url


@contextmanager
def serving(home: Path):
    """`hubmine serve --port 0` as a user starts it; yields its base URL."""
    env = {**os.environ, "HUBMINE_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert url, f"serve did not start: {line}{proc.stdout.read() if proc.poll() is not None else ''}"
        yield url.group(1).rstrip("/")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def get(url: str, path: str, **params):
    full = url + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(full, timeout=60) as r:
            body = r.read().decode()
            return r.status, (json.loads(body) if "json" in r.headers.get("Content-Type", "") else body)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


def cli_bom(home: Path, model_id: str) -> dict:
    """The CycloneDX BOM `hubmine bom` prints for one id."""
    out = hubmine("bom", model_id, env={"HUBMINE_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def same_run(bom: dict) -> dict:
    """A BOM without what differs between two writings of it: its serial number and timestamp."""
    meta = {k: v for k, v in bom["metadata"].items() if k != "timestamp"}
    return {**{k: v for k, v in bom.items() if k != "serialNumber"}, "metadata": meta}


def uncrawled_base(home: Path) -> str:
    """A parent id crawled models declare that no crawl listed."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(
            "SELECT min(p) FROM (SELECT coalesce(resolved_parent_id, parent_id) AS p FROM lineage_edges) "
            "WHERE p NOT IN (SELECT model_id FROM models) AND regexp_full_match(p, '[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+')"
        ).fetchall()[0][0]
    finally:
        con.close()


def cli_family(home: Path, model_id: str) -> tuple[set[str], set[str]]:
    """Ancestors and descendants as `hubmine family` prints them."""
    out = hubmine("family", model_id, "--max-depth", "1000", env={"HUBMINE_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("descendants ("))
    up = {ln.split()[1] for ln in lines[1:start] if re.match(r"\s+-\d+\s", ln)}
    down = {m.group(1) for ln in lines[start:] if (m := re.search(r"[├└]── (\S+)  \[", ln))}
    return up, down


def family_sample(home: Path) -> str:
    """A real model with ancestors and descendants, under 100 relatives: its page shows each of them."""
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("""
            SELECT f.model_id FROM family_members f JOIN models m USING (model_id)
            WHERE f.crawl_id = (SELECT max(crawl_id) FROM family_members) AND f.generation >= 1 AND f.children >= 1
              AND f.descendants < 60 AND NOT coalesce(m.synthetic, false)
            ORDER BY f.descendants DESC, m.downloads DESC, f.model_id LIMIT 1""").fetchall()[0][0]
    finally:
        con.close()


def largest_family_root(home: Path) -> tuple[str, int]:
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("SELECT family_id, size FROM family_stats ORDER BY size DESC LIMIT 1").fetchall()[0]
    finally:
        con.close()


def test_search_ranks_prefix_then_downloads_and_filters_by_scope(server):
    status, hits = get(server, "/api/models", q="llama")
    assert status == 200 and hits and all("llama" in h["id"].lower() for h in hits)
    prefix = [h["prefix"] for h in hits]
    assert prefix == sorted(prefix, reverse=True)  # prefix matches (of the id or of the name) first
    for group in (True, False):
        dl = [h["downloads"] or 0 for h in hits if h["prefix"] is group]
        assert dl == sorted(dl, reverse=True)
    status, synthetic = get(server, "/api/models", q="llama", scope="synthetic")
    assert status == 200 and all(h["synthetic"] for h in synthetic) and len(synthetic) < len(hits)
    assert get(server, "/api/models", q="x", scope="fake")[0] == 400


def test_family_api_equals_hubmine_family(server, explorer_home):
    model = family_sample(explorer_home)
    up, down = cli_family(explorer_home, model)
    status, fam = get(server, f"/api/models/{model}/family")
    assert status == 200 and up and down
    assert {a["id"] for a in fam["ancestors"]} == up and {d["id"] for d in fam["descendants"]} == down
    assert all(a["generation"] < 0 for a in fam["ancestors"]) and all(d["generation"] > 0 for d in fam["descendants"])
    assert {i["relation"] for i in fam["ancestors"] + fam["descendants"]} <= {
        "finetune",
        "adapter",
        "quantized",
        "merge",
        "unknown",
        "adapter+finetune",
        "finetune+merge",
        "finetune+quantized",
    }
    # the root of the largest real family: the graph keeps its budget and counts what it collapses
    root, size = largest_family_root(explorer_home)
    status, g = get(server, f"/api/models/{root}/graph", max_nodes=50)
    _, whole = get(server, f"/api/models/{root}/family")
    assert status == 200 and g["shown"] == 50 and size >= g["total"] > 100
    assert g["total"] == 1 + len(whole["ancestors"]) + len(whole["descendants"])
    collapsed = [n for n in g["nodes"] if n["collapsed"]]
    assert sum(n["hidden"] for n in collapsed) == g["hidden"] == g["total"] - 50


def test_lineage_index_walks_every_family_as_the_recursive_queries_do(explorer_home):
    """For every model of the real sample, the index's edges are the rows of the recursive family_relatives.sql,
    and the crawled ones are those in `models`."""
    con = duckdb.connect(str(explorer_home / "warehouse.duckdb"), read_only=True)
    try:
        index = LineageIndex.build(con)
        names = [*index.ids, "nobody/nothing-here"]
        assert len(index.ids) > 100 and len(index.child) > 100
        for name in names:
            rows = [tuple(r) for r in con.execute(named_sql("family_relatives"), [name]).fetchall()]
            assert sorted(index.edges(name)) == sorted(rows), name
        model = family_sample(explorer_home)
        rel = family_of(con, model, index)
        crawled = {
            r[0]
            for r in con.execute(
                "SELECT model_id FROM models WHERE model_id IN (SELECT unnest(?))", [list(rel["graph"])]
            ).fetchall()
        }
        assert rel["present"] == crawled and len(rel["graph"]) > 2
    finally:
        con.close()


def test_web_resolves_renamed_and_case_variant_ids_as_hubmine_family_does(analysed_renamed):
    home = analysed_renamed.home
    with serving(home) as url:
        for name, via in (("base-v1", "alias"), ("ACME/Base-V1", "alias"), ("Acme/BASE-v1", "case")):
            status, fam = get(url, f"/api/models/{name}/family")
            up, down = cli_family(home, name)
            assert status == 200 and fam["id"] == "acme/base-v1" and len(down) == 3
            assert {a["id"] for a in fam["ancestors"]} == up and {d["id"] for d in fam["descendants"]} == down
            status, m = get(url, f"/api/models/{name}")
            assert status == 200 and m["id"] == "acme/base-v1" and m["resolved_via"] == via
            assert "acme/base-v1" in m["note"]


def test_model_api_bom_csv_and_unknown_models(server, explorer_home):
    model = family_sample(explorer_home)
    status, m = get(server, f"/api/models/{model}")
    assert status == 200 and m["facts"]["id"] == model and m["history"]
    assert get(server, f"/api/models/{model.upper()}/family")[1]["id"] == model  # ids are not case-sensitive
    status, bom = get(server, f"/api/models/{model}/bom")  # `hubmine bom`'s CycloneDX of the resolved id
    assert status == 200 and bom["bomFormat"] == "CycloneDX" and bom["metadata"]["component"]["name"] == model
    status, bom = get(server, f"/api/models/{model.upper()}/bom")
    assert status == 200 and bom["metadata"]["component"]["name"] == model
    assert same_run(bom) == same_run(cli_bom(explorer_home, model.upper()))
    assert bom["metadata"]["component"]["pedigree"]["ancestors"]  # the sample has ancestors: the BOM lists them
    base = uncrawled_base(explorer_home)
    status, missing = get(server, f"/api/models/{base}/bom")
    assert status == 404 and f"{base} is declared as a base by crawled models but no crawl" in missing["error"]
    status, missing = get(server, "/api/models/nobody/nothing-here/family")
    assert status == 404 and "not in the warehouse" in missing["error"]
    status, text = get(server, "/api/licenses/violations", format="csv", limit=10)
    assert status == 200 and text.splitlines()[0].startswith("severity,rule_id,child_id")
    _, rows = get(server, "/api/licenses/violations", limit=5000)
    order = {"violation": 0, "review": 1}
    ranks = [order.get(r["severity"], 2) for r in rows]
    assert rows and ranks == sorted(ranks)


# -- in a real browser --------------------------------------------------------------------------------------
@pytest.fixture
def page(browser):
    """A page that records console errors and uncaught exceptions; the test fails on any."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    p = ctx.new_page()
    p.errors = []
    p.on("console", lambda msg: msg.type == "error" and p.errors.append(msg.text))
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))
    p.on("dialog", lambda d: (p.errors.append(f"dialog: {d.message}"), d.dismiss()))
    yield p
    ctx.close()
    assert p.errors == []


def shot(p, name: str) -> None:
    """Full-page screenshots of the main pages when EXPLORER_SHOTS names a directory."""
    if os.environ.get("EXPLORER_SHOTS"):
        Path(os.environ["EXPLORER_SHOTS"]).mkdir(parents=True, exist_ok=True)
        p.screenshot(path=str(Path(os.environ["EXPLORER_SHOTS"]) / f"{name}.png"), full_page=True)


def table_ids(p, name: str) -> set[str]:
    more = p.locator(f'table[data-table="{name}"] + button')
    if more.is_visible():
        more.click()
    return set(p.locator(f'table[data-table="{name}"] tbody tr td:first-child').all_inner_texts())


@pytest.mark.browser
def test_search_open_model_shows_its_family_as_hubmine_family_does(server, explorer_home, page):
    model = family_sample(explorer_home)
    up, down = cli_family(explorer_home, model)
    page.goto(server + "/")
    page.wait_for_selector(".card")
    shot(page, "index")
    page.fill("#q", model.split("/")[-1])
    page.locator("#suggest a.hit", has_text=model).first.click()
    page.wait_for_selector('table[data-table="descendants"] tbody tr')
    assert page.inner_text("#title") == model
    assert table_ids(page, "ancestors") == up and table_ids(page, "descendants") == down
    assert page.locator(".chart .main-svg").count() >= 1
    shot(page, "model")


@pytest.mark.browser
def test_family_over_100_models_renders_collapsed_graph(server, explorer_home, page):
    root, size = largest_family_root(explorer_home)
    page.goto(server + "/models/" + root)
    page.wait_for_selector('table[data-table="descendants"] tbody tr', timeout=60000)
    title = page.locator(".chart .gtitle").first.text_content()
    total = int(re.search(r"of (\d+) models shown", title).group(1))
    assert size >= total > 100
    assert page.locator(".chart .main-svg").count() >= 1
    assert page.locator('table[data-table="descendants"]').locator("..").locator(".count").first.is_visible()
    shot(page, "family-over-100")


@pytest.mark.browser
def test_licenses_table_downloads_as_csv_with_violations_first(server, page, tmp_path):
    page.goto(server + "/licenses")
    page.wait_for_selector('table[data-table="license_violations"] tbody tr')
    first = page.locator('table[data-table="license_violations"] tbody tr td:first-child').first.inner_text()
    assert first == "violation"
    with page.expect_download() as dl:
        page.locator('table[data-table="license_violations"]').locator(
            "xpath=preceding-sibling::div[1]//button"
        ).click()
    path = tmp_path / "v.csv"
    dl.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("severity,rule_id,child_id") and len(lines) > 2
    shot(page, "licenses")
    page.goto(server + "/families")
    page.wait_for_selector('table[data-table="families"] tbody tr')
    cells = page.locator('table[data-table="families"] tbody tr:first-child td.num').all_inner_texts()
    assert cells and all(re.fullmatch(r"[\d,]+", c) for c in cells)  # whole numbers, thousands separated


@pytest.mark.browser
def test_hostile_model_strings_show_as_text(server, page):
    page.goto(server + "/models/" + urllib.parse.quote(HOSTILE_ID, safe="/"))
    page.wait_for_selector('table[data-table="ancestors"] tbody tr')
    assert page.inner_text("#title") == HOSTILE_ID
    assert HOSTILE in page.inner_text("main")  # the license and the language, as text
    assert page.locator("main script, main img").count() == 0
    page.goto(server + "/")
    page.fill("#q", "evil/")
    page.wait_for_selector("#suggest a.hit")
    assert HOSTILE_ID in page.inner_text("#suggest")
