"""Declared lineage: parent edges a model states in its card (`base_model`, `base_model_relation`) and in
the tags the Hub derives from it (`base_model:<id>`, `base_model:<relation>:<id>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.config import DECLARED_RELATIONS, Relation

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*(/[\w.\-]+)?$", re.ASCII)
HUB_URL = re.compile(r"^https?://(www\.)?huggingface\.co/")


@dataclass(frozen=True)
class Edge:
    parent_id: str
    relation: Relation
    source: str  # card | tag | card+tag (declared); adapter_config | config | mergekit | name (inferred)


def normalize_repo_id(value) -> str | None:
    """A model id as written in a card or config, or None if it cannot name a Hub repo."""
    if not isinstance(value, str):
        return None
    v = HUB_URL.sub("", value.strip()).strip("/")
    if v.startswith(("models/",)):
        v = v[len("models/") :]
    return v if REPO_ID.match(v) and len(v) <= 200 and ".." not in v else None


def declared_edges(model_id: str, card_data: dict | None, tags: list[str] | None) -> tuple[list[Edge], list[str]]:
    """Edges the model declares, and the problems found (unparseable base ids)."""
    problems: list[str] = []
    card_parents: list[str] = []
    card_rel: Relation | None = None
    if isinstance(card_data, dict):
        base = card_data.get("base_model")
        values = [base] if isinstance(base, str) else base if isinstance(base, list) else []
        for v in values:
            pid = normalize_repo_id(v)
            if pid is None:
                problems.append(f"base_model entry {str(v)[:80]!r} is not a repo id")
            elif pid not in card_parents:
                card_parents.append(pid)
        rel = card_data.get("base_model_relation")
        card_rel = rel if rel in DECLARED_RELATIONS else None
        if rel is not None and card_rel is None:
            problems.append(f"base_model_relation {str(rel)[:40]!r} is not one of {', '.join(DECLARED_RELATIONS)}")
    tag_parents: dict[str, Relation | None] = {}
    for t in tags or []:
        if not isinstance(t, str) or not t.startswith("base_model:"):
            continue
        rest = t[len("base_model:") :]
        rel, _, pid = rest.partition(":")
        if pid and rel in DECLARED_RELATIONS:
            p = normalize_repo_id(pid)
            if p:
                tag_parents[p] = rel
        else:
            p = normalize_repo_id(rest)
            if p:
                tag_parents.setdefault(p, None)
    edges = []
    for pid in card_parents + [p for p in tag_parents if p not in card_parents]:
        in_card, in_tags = pid in card_parents, pid in tag_parents
        relation: Relation = tag_parents.get(pid) or card_rel or ("merge" if len(card_parents) > 1 else "unknown")
        source = "card+tag" if in_card and in_tags else "card" if in_card else "tag"
        edges.append(Edge(pid, relation, source))
    return edges, problems
