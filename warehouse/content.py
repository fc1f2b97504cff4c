"""What a crawl lands, in a comparable form (crawl ids and timestamps left out): two warehouses with equal
content hold the same crawl, whatever kills and resumes happened on the way."""

from __future__ import annotations

from pathlib import Path

from warehouse.query import connect_readonly

CONTENT_QUERIES = {
    "models": "SELECT model_id, sha, license, downloads, base_models FROM models ORDER BY model_id",
    "lineage_edges": "SELECT DISTINCT child_id, parent_id, relation, source FROM lineage_edges ORDER BY ALL",
    "resolved_parents": "SELECT DISTINCT child_id, parent_id, resolved_parent_id FROM lineage_edges ORDER BY ALL",
    "model_aliases": "SELECT alias, canonical_id, mongo_id, status, source FROM model_aliases ORDER BY ALL",
    "licenses": "SELECT model_id, position, license_id, spdx, category, resolution FROM licenses ORDER BY ALL",
    "commits": "SELECT model_id, commit_id, position, title, authors, date FROM commits ORDER BY ALL",
    "commit_files": "SELECT model_id, commit_id, path, change, oid, size FROM commit_files ORDER BY ALL",
    "refs": "SELECT model_id, kind, name, target_commit FROM refs ORDER BY ALL",
    "model_cards": "SELECT model_id, md5(body), yaml_ok FROM model_cards ORDER BY ALL",
    "repo_configs": "SELECT * EXCLUDE (crawl_id) FROM repo_configs ORDER BY ALL",
    "energy": "SELECT model_id, source_kind, co2_grams, valid FROM energy ORDER BY ALL",
    "spaces": "SELECT space_id, models FROM spaces ORDER BY ALL",
    "space_models": "SELECT DISTINCT space_id, model_id, source FROM space_models ORDER BY ALL",
    "repo_state": "SELECT model_id, fetched_sha FROM repo_state ORDER BY ALL",
}


def content(home: Path) -> dict[str, list]:
    con = connect_readonly(Path(home) / "warehouse.duckdb")
    try:
        return {name: con.execute(sql).fetchall() for name, sql in CONTENT_QUERIES.items()}
    finally:
        con.close()


def differences(a: dict[str, list], b: dict[str, list]) -> dict[str, str]:
    """Per table, how two contents differ (empty when equal), row by row."""
    out = {}
    for table in CONTENT_QUERIES:
        ra, rb = a[table], b[table]
        if ra != rb:
            sa, sb = set(map(repr, ra)), set(map(repr, rb))
            out[table] = (
                f"{len(ra)} vs {len(rb)} rows; {len(sa - sb)} only in the first, {len(sb - sa)} only in the "
                f"second, duplicates {len(ra) - len(sa)} / {len(rb) - len(sb)}"
            )
    return out
