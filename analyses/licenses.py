"""License normalisation: the Hub's license ids and free text -> SPDX id and a category.

The Hub's own ids (llama2, openrail, ...) come from a data table (data/licenses.csv); anything else is
parsed as an SPDX expression with license-expression. Categories: permissive, copyleft, open-rail,
restrictive-commercial, non-commercial, other, unknown.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from license_expression import ExpressionError, get_spdx_licensing

DATA = Path(__file__).parent / "data"
CATEGORIES = ("permissive", "copyleft", "open-rail", "restrictive-commercial", "non-commercial", "other", "unknown")
ALIASES = {
    "apache 2.0": "apache-2.0", "apache2": "apache-2.0", "apache-2": "apache-2.0", "apache license 2.0": "apache-2.0",
    "apache2.0": "apache-2.0", "mit license": "mit", "gplv3": "gpl-3.0", "gpl3": "gpl-3.0", "gplv2": "gpl-2.0",
    "cc-by-nc": "cc-by-nc-4.0", "cc by-nc 4.0": "cc-by-nc-4.0", "cc-by": "cc-by-4.0", "cc-by-sa": "cc-by-sa-4.0",
    "llama-2": "llama2", "llama 2": "llama2", "llama-3": "llama3", "llama3-1": "llama3.1", "creativeml openrail m": "creativeml-openrail-m",
    "none": "unknown", "n/a": "unknown", "": "unknown",
}


@dataclass(frozen=True)
class License:
    license_id: str | None   # the Hub's id when known, else the raw text lower-cased
    spdx: str | None
    category: str


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str | None, str]]:
    with open(DATA / "licenses.csv", newline="") as fh:
        return {r["license_id"]: (r["spdx"] or None, r["category"]) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _spdx_categories() -> dict[str, str]:
    """SPDX id (lower-case) -> category, from the table."""
    return {spdx.lower(): cat for spdx, cat in table().values() if spdx}


@lru_cache(maxsize=4096)
def normalize_one(raw: str) -> License:
    key = " ".join(str(raw).strip().lower().split())
    key = ALIASES.get(key, key)
    known = table().get(key)
    if known:
        return License(key, known[0], known[1])
    try:
        licensing = get_spdx_licensing()
        expr = licensing.parse(key, validate=False)
        if expr is not None and not licensing.validate(key).invalid_symbols:
            rendered = expr.render()
            keys = [s.key.lower() for s in licensing.license_symbols(expr)]
            cats = {_spdx_categories().get(k, "other") for k in keys}
            # an expression is as free as its most restrictive part when joined by AND; keep it simple:
            cat = cats.pop() if len(cats) == 1 else "other"
            return License(key, rendered, cat)
    except (ExpressionError, TypeError, ValueError):
        pass
    return License(key[:200] or None, None, "other")


def normalize(raw) -> list[License]:
    """All licenses a card declares (`license` is a string or a list); [] when none is declared."""
    if raw is None:
        return []
    values = raw if isinstance(raw, list) else [raw]
    out = []
    for v in values:
        if isinstance(v, (str, int, float)) and str(v).strip():
            out.append(normalize_one(str(v)))
    return out


def category_of(license_id: str | None) -> str:
    if not license_id:
        return "unknown"
    return normalize_one(license_id).category
