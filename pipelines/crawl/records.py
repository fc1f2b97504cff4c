"""Hub API records -> warehouse rows (models, licenses, declared lineage, CO2 facts, space usage).

Pure functions: one listing item in, rows out. A record the client could not parse, or a field in an
unexpected shape, becomes a crawl_errors row with a reason; the rest of the record still lands.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TypeVar

from huggingface_hub import ModelInfo

from analyses import energy, licenses, lineage
from pipelines.config import SPACES_CAP, SYNTHETIC_TAG
from warehouse.lake import stage_tables

MAX_JSON = 256 * 1024  # larger card_data / config values are cut to keep the warehouse lean


def parse_ts(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    if isinstance(value, (str, int, float)):
        return [str(value)]
    return []


def dump_json(value) -> str | None:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if len(text) > MAX_JSON:
        return json.dumps({"_truncated": True, "_bytes": len(text)})
    return text


class Rows:
    """Rows of one landing unit, by table; errors are collected beside them."""

    def __init__(self, *tables: str):
        self.tables: dict[str, list[dict]] = {t: [] for t in (*tables, "crawl_errors")}

    def add(self, table: str, row: dict) -> None:
        self.tables[table].append(row)

    def error(self, model_id: str | None, stage: str, reason: str, detail: str | None = None) -> None:
        self.tables["crawl_errors"].append(
            {
                "model_id": model_id,
                "stage": stage,
                "reason": reason[:500],
                "detail": (detail or "")[:2000] or None,
                "logged_at": datetime.utcnow(),
            }
        )

    def __getitem__(self, table: str) -> list[dict]:
        return self.tables[table]


LISTING_TABLES = stage_tables("listing")
N = TypeVar("N", int, float)


def model_rows(item: dict, out: Rows) -> str | None:
    """Land one listing item. Returns the model id, or None if the record was quarantined."""
    model_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(model_id, str) or not model_id:
        out.error(None, "listing", "record without an id", str(item)[:500])
        return None
    if not lineage.REPO_ID.match(model_id) or ".." in model_id or len(model_id) > 200:
        out.error(model_id[:200], "listing", "id is not a valid repo id (path-like, too long or odd characters)")
        return None
    try:
        ModelInfo(**{**item, "siblings": item.get("siblings")})  # what the real client accepts
    except Exception as e:  # noqa: BLE001 - any failure means the real client rejects the record
        out.error(
            model_id, "listing", f"record rejected by huggingface_hub: {type(e).__name__}: {e}"[:500], str(item)[:1000]
        )
        return None
    raw_card = item.get("cardData")
    card: dict | None = raw_card if isinstance(raw_card, dict) else None
    if raw_card is not None and card is None:
        out.error(model_id, "listing", f"cardData is a {type(raw_card).__name__}, not a mapping")
    tags = as_list(item.get("tags"))
    edges, problems = lineage.declared_edges(model_id, card, tags)
    for p in problems:
        out.error(model_id, "lineage", p)
    lic_raw = card.get("license") if card else None
    raw_st = item.get("safetensors")
    st: dict = raw_st if isinstance(raw_st, dict) else {}
    siblings = [s.get("rfilename") for s in item.get("siblings") or [] if isinstance(s, dict) and s.get("rfilename")]
    spaces = as_list(item.get("spaces"))
    out.add(
        "models",
        {
            "model_id": model_id,
            "mongo_id": item.get("_id"),
            "author": item.get("author") or (model_id.split("/")[0] if "/" in model_id else None),
            "sha": item.get("sha"),
            "created_at": parse_ts(item.get("createdAt")),
            "last_modified": parse_ts(item.get("lastModified")),
            "downloads": _number(item.get("downloads"), int),
            "downloads_all_time": _number(item.get("downloadsAllTime"), int),
            "likes": _number(item.get("likes"), int),
            "trending_score": _number(item.get("trendingScore"), float),
            "private": item.get("private") if isinstance(item.get("private"), bool) else None,
            "gated": None if item.get("gated") is None else str(item.get("gated")).lower(),
            "disabled": item.get("disabled") if isinstance(item.get("disabled"), bool) else None,
            "pipeline_tag": _str(item.get("pipeline_tag")),
            "library_name": _str(item.get("library_name")),
            "tags": tags,
            "languages": as_list(card.get("language")) if card else [],
            "datasets": as_list(card.get("datasets")) if card else [],
            "license": as_list(lic_raw)[0] if as_list(lic_raw) else None,
            "base_models": [e.parent_id for e in edges if e.source != "tag"],
            "base_model_relation": _str(card.get("base_model_relation")) if card else None,
            "siblings": siblings,
            "spaces_count": len(spaces),
            "spaces_capped": len(spaces) >= SPACES_CAP,
            "parameters": _number(st.get("total"), int),
            "card_data": dump_json(card),
            "config": dump_json(item.get("config")),
            "transformers_info": dump_json(item.get("transformersInfo")),
            "gguf": dump_json(item.get("gguf")),
            "safetensors": dump_json(item.get("safetensors") or None),
            "used_storage": _number(item.get("usedStorage"), int),
            "synthetic": SYNTHETIC_TAG in tags,
        },
    )
    for edge in edges:
        out.add(
            "lineage_edges",
            {"child_id": model_id, "parent_id": edge.parent_id, "relation": edge.relation, "source": edge.source},
        )
    name, link = (_str(card.get("license_name")), _str(card.get("license_link"))) if card else (None, None)
    for i, (raw, lic) in enumerate(zip(as_list(lic_raw), licenses.normalize(lic_raw, name, link), strict=False)):
        out.add(
            "licenses",
            {
                "model_id": model_id,
                "position": i,
                "license_raw": raw,
                "license_id": lic.license_id,
                "spdx": lic.spdx,
                "category": lic.category,
                "license_name": name,
                "license_link": link,
                "resolution": lic.resolution,
            },
        )
    if card and "co2_eq_emissions" in card:
        fact = energy.from_card_data(card["co2_eq_emissions"])
        if fact is not None:
            out.add("energy", {"model_id": model_id, **fact.row()})
            if not fact.valid:
                out.error(model_id, "energy", f"co2_eq_emissions quarantined: {fact.reason}", fact.raw)
    for sid in spaces:
        out.add("space_models", {"space_id": sid, "model_id": model_id, "source": "model_listing"})
    return model_id


def space_rows(item: dict, out: Rows) -> None:
    sid = item.get("id") if isinstance(item, dict) else None
    if not isinstance(sid, str) or not sid:
        out.error(None, "spaces", "space record without an id", str(item)[:500])
        return
    models = as_list(item.get("models"))
    out.add(
        "spaces",
        {
            "space_id": sid,
            "mongo_id": _str(item.get("_id")),
            "author": _str(item.get("author")) or sid.split("/")[0],
            "sdk": _str(item.get("sdk")),
            "likes": _number(item.get("likes"), int),
            "created_at": parse_ts(item.get("createdAt")),
            "last_modified": parse_ts(item.get("lastModified")),
            "sha": _str(item.get("sha")),
            "tags": as_list(item.get("tags")),
            "models": models,
        },
    )
    for mid in models:
        out.add("space_models", {"space_id": sid, "model_id": mid, "source": "space_listing"})


def _number(v, kind: type[N]) -> N | None:
    """`v` as an int or a float; None for booleans, None and values that do not convert."""
    if isinstance(v, bool) or v is None:
        return None
    try:
        return kind(v)
    except (TypeError, ValueError):
        return None


def _str(v) -> str | None:
    return None if v is None else str(v)[:1000]
