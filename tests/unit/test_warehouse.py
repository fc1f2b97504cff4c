"""The lake and the warehouse: schemas from one DDL, atomic units, output formats, read-only SQL (loads of a
landed listing: crawled/test_warehouse_load)."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.errors import WarehouseMissing
from warehouse.lake import ddl_statements, lake_schema, publish_unit, remove_partials, units
from warehouse.query import connect_readonly, format_rows, run_query


def test_lake_schemas_follow_the_warehouse_ddl():
    con = duckdb.connect()
    for ddl in ddl_statements():
        con.execute(ddl)
    for table in ("models", "commits", "lineage_edges", "energy", "crawl_errors", "model_cards"):
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
        ]
        lake = lake_schema(table).names
        assert lake == [c for c in cols if c not in ("crawl_id", "first_seen_crawl")]


def test_units_publish_atomically_and_partials_are_ignored(tmp_path):
    stage = tmp_path / "listing"
    publish_unit(
        stage / "page-000001",
        {"lineage_edges": [{"child_id": "a/b", "parent_id": "c/d", "relation": "finetune", "source": "card"}]},
        {"next_url": None},
    )
    (stage / "page-000002.tmp").mkdir()  # what a killed writer leaves behind
    assert [u.name for u in units(stage)] == ["page-000001"]
    assert remove_partials(stage) == 1 and not (stage / "page-000002.tmp").exists()


def test_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(WarehouseMissing, match="hubmine crawl"):
        run_query(tmp_path / "warehouse.duckdb", "SELECT 1")


def test_output_formats():
    cols, rows = ["id", "tags", "n"], [("a/b", ["x", "y"], 1), ("c,d", None, 2)]
    assert format_rows(cols, rows, "csv") == 'id,tags,n\na/b,"[""x"", ""y""]",1\n"c,d",,2\n'
    assert format_rows(["x"], [(None,), ("",)], "csv") == 'x\n\n""\n'  # NULL empty, as DuckDB writes it; '' quoted
    assert '"tags": [\n   "x",' in format_rows(cols, rows, "json")
    table = format_rows(cols, rows, "table")
    assert "a/b" in table and "NULL" in table and table.strip().endswith("(2 rows)")


def test_limit_holds_when_where_compares_with_a_scalar_subquery():
    """The README's "latest crawl" pattern; DuckDB 2.0.0 dropped the LIMIT here (pinned to a release that does not)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE cr AS SELECT range AS crawl_id FROM range(3)")
    con.execute("CREATE TABLE fm AS SELECT range AS i, 2 AS crawl_id FROM range(1000)")
    rows = con.execute("SELECT i FROM fm WHERE crawl_id = (SELECT max(crawl_id) FROM cr) LIMIT 5").fetchall()
    assert len(rows) == 5


def test_read_only_commands_open_a_warehouse_written_by_an_older_version(tmp_path):
    """A warehouse from before a schema addition (here: no latest_crawl view, no upstream_changes table) gains
    the additions once, then opens read-only as usual."""
    from warehouse.load import connect

    path = tmp_path / "warehouse.duckdb"
    con = connect(path)
    con.execute("DROP VIEW latest_crawl")
    con.execute("DROP TABLE upstream_changes")
    con.close()
    ro = connect_readonly(path)
    try:
        have = {r[0] for r in ro.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"latest_crawl", "upstream_changes"} <= have
        with pytest.raises(duckdb.Error):
            ro.execute("CREATE TABLE t (x INT)")  # still read-only
    finally:
        ro.close()
