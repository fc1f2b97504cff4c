"""License resolution against a knowledge base kept as data (data/licenses.csv).

The knowledge base holds every `license` value the Hub accepts and the common `license_name` values given
with `license: other`, each with its SPDX id (or a `LicenseRef-`), its ScanCode LicenseDB key where one exists,
a category, and its obligations as columns: each obligation column holds the clause that imposes it (empty
when the license has no such obligation), and `source_url` names the license text. Violation rules are derived
from these columns (analyses/license_drift.py).

A card's license resolves, in order: a Hub value or an alias of one (data/license_aliases.csv); for `other`
(or no license but a `license_name`), its `license_name`, then its `license_link` when it is a known license
text; anything else is parsed as an SPDX expression with license-expression. `resolution` says which path
was taken, or why none worked; only licenses whose terms the knowledge base records count as resolved.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from license_expression import ExpressionError, get_spdx_licensing

DATA = Path(__file__).parent / "data"
CATEGORIES = ("permissive", "copyleft", "open-rail", "restrictive-commercial", "non-commercial", "other", "unknown")
OBLIGATIONS = (
    "attribution",
    "share_alike",
    "non_commercial",
    "no_derivatives",
    "use_restrictions",
    "naming",
    "user_threshold",
)
TERMS = ("known", "partial", "family", "unknown")  # how much of the license text the obligation columns record
RESOLVED = ("hub", "alias", "license_name", "license_link", "spdx")  # resolutions that reach a knowledge-base entry
UNRESOLVED = ("other-unnamed", "other-unknown-name", "spdx-expression", "unparsed", "unknown", "none")


@dataclass(frozen=True)
class Terms:
    """One knowledge-base entry."""

    license_id: str
    kind: str  # hub (a `license` value the Hub accepts) | license_name (a name used with `other`)
    title: str
    spdx: str
    scancode_key: str | None
    category: str
    terms: str
    obligations: tuple[tuple[str, str], ...]  # (obligation, clause) for each obligation the license imposes
    compatible_with: frozenset[str]  # downstream licenses that keep its share-alike / pass-on terms
    source_url: str

    def clause(self, obligation: str) -> str | None:
        return dict(self.obligations).get(obligation)

    @property
    def known(self) -> bool:
        """The knowledge base records what this license requires (fully, partly or for its family)."""
        return self.terms != "unknown"


@dataclass(frozen=True)
class License:
    license_id: str | None  # knowledge-base id when resolved, else the raw text lower-cased
    spdx: str | None
    category: str
    resolution: str  # one of RESOLVED or UNRESOLVED

    @property
    def resolved(self) -> bool:
        """Terms known: the license reached a knowledge-base entry whose obligations are recorded."""
        terms = knowledge_base().get(self.license_id or "")
        return self.resolution in RESOLVED and terms is not None and terms.known


def _terms(row: dict) -> Terms:
    if row["category"] not in CATEGORIES or row["terms"] not in TERMS:
        raise ValueError(f"licenses.csv: {row['license_id']}: category {row['category']!r} or terms {row['terms']!r}")
    return Terms(
        row["license_id"],
        row["kind"],
        row["title"],
        row["spdx"],
        row["scancode_key"] or None,
        row["category"],
        row["terms"],
        tuple((o, row[o]) for o in OBLIGATIONS if row[o]),
        frozenset(filter(None, row["compatible_with"].split("|"))),
        row["source_url"],
    )


@lru_cache(maxsize=1)
def knowledge_base() -> dict[str, Terms]:
    with open(DATA / "licenses.csv", newline="", encoding="utf-8") as fh:
        return {r["license_id"]: _terms(r) for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    with open(DATA / "license_aliases.csv", newline="", encoding="utf-8") as fh:
        return {r["alias"]: r["license_id"] for r in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def _by_spdx() -> dict[str, str]:
    return {t.spdx.lower(): t.license_id for t in knowledge_base().values() if not t.spdx.startswith("LicenseRef-hf")}


@lru_cache(maxsize=1)
def _by_url() -> dict[str, str]:
    return {
        _url_key(t.source_url): t.license_id
        for t in knowledge_base().values()
        if t.kind == "license_name" or t.terms == "known"
    }


def _url_key(url: str) -> str:
    return url.lower().split("://", 1)[-1].removeprefix("www.").rstrip("/").replace("/resolve/", "/blob/")


def _key(raw) -> str:
    return " ".join(str(raw).strip().lower().split())


def _entry(license_id: str, resolution: str) -> License:
    t = knowledge_base()[license_id]
    return License(license_id, t.spdx, t.category, resolution)


def _lookup(key: str) -> tuple[str, str] | None:
    """(knowledge-base id, how) of a value or a name, through the alias table."""
    kb = knowledge_base()
    if key in kb:
        return key, "direct"
    if aliases().get(key) in kb:
        return aliases()[key], "alias"
    return None


def _other(license_name, license_link) -> License:
    """`license: other`: the name says which license (or a link to a known license text does)."""
    if license_name:
        found = _lookup(_key(license_name))
        if found and found[0] not in ("other", "unknown"):
            return _entry(found[0], "license_name")
    if isinstance(license_link, str) and _url_key(license_link) in _by_url():
        return _entry(_by_url()[_url_key(license_link)], "license_link")
    reason = "other-unknown-name" if license_name else "other-unnamed"
    return License("other", knowledge_base()["other"].spdx, "other", reason)


def _spdx(key: str) -> License:
    try:
        licensing = get_spdx_licensing()
        expr = licensing.parse(key, validate=False)
        if expr is not None and not licensing.validate(key).invalid_symbols:
            symbols = [s.key.lower() for s in licensing.license_symbols(expr)]
            if len(symbols) == 1 and symbols[0] in _by_spdx():
                return _entry(_by_spdx()[symbols[0]], "spdx")
            cats = {knowledge_base()[_by_spdx()[s]].category for s in symbols if s in _by_spdx()}
            return License(key, expr.render(), cats.pop() if len(cats) == 1 else "other", "spdx-expression")
    except (ExpressionError, TypeError, ValueError):
        pass
    return License(key[:200], None, "other", "unparsed")


@lru_cache(maxsize=8192)
def resolve(raw, license_name=None, license_link=None) -> License:
    """One declared license (with the card's license_name and license_link) against the knowledge base."""
    key = _key(raw) if raw is not None else ""
    if not key:
        if license_name:  # a name without `license: other` still says which license it is
            named = _other(license_name, license_link)
            if named.resolution == "license_name":
                return named
        return License(None, None, "unknown", "none")
    found = _lookup(key)
    if found and found[0] == "other":
        return _other(license_name, license_link)
    if found and found[0] == "unknown":
        return _entry("unknown", "unknown")
    if found:
        return _entry(found[0], "hub" if found[1] == "direct" and knowledge_base()[found[0]].kind == "hub" else "alias")
    return _spdx(key)


def normalize(raw, license_name=None, license_link=None) -> list[License]:
    """All licenses a card declares (`license` is a string or a list); [] when none is declared."""
    if raw is None:
        return []
    values = raw if isinstance(raw, list) else [raw]
    name = license_name if isinstance(license_name, str) else None
    link = license_link if isinstance(license_link, str) else None
    return [resolve(str(v), name, link) for v in values if isinstance(v, (str, int, float)) and str(v).strip()]


def terms_of(license_id: str | None) -> Terms | None:
    return knowledge_base().get(license_id or "")
