"""What the per-repo work learns about a repo, whichever way it was read (git or the REST API), as rows.

Both ways fill one `RepoData`: the commits (all of them, or only those after the newest commit already in
the warehouse: an increment), the files each commit changed, the tree at the crawled sha and the refs.
The card and the lineage configs are read through a `read(path)` function of either way; in an increment
a file whose blob did not change since it was last read is not read again: its rows stay in the
warehouse (a `repo_kept` row says so).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import yaml

from analyses import cards, energy
from analyses.files import is_weight_file
from analyses.lineage import normalize_repo_id
from pipelines.config import FetchConfigs, Relation
from pipelines.crawl.records import Rows

MAX_CONFIG_BYTES = 1 << 20
README = "README.md"
Entry = tuple  # (oid, size, lfs_sha256 | None)


class NotInRepo(Exception):
    """A file the listing names is not in the repo at the crawled revision."""


@dataclass
class FileChange:
    path: str
    change: str  # added | modified | deleted
    entry: Entry  # the new entry (the old one for deletions)


@dataclass
class Commit:
    commit_id: str
    title: str
    message: str
    authors: list[str]
    date: datetime | None
    files: list[FileChange] | None  # None: not diffed (api mode beyond max_tree_commits)


@dataclass
class Base:
    """The newest commit of a repo already in the warehouse, and the tree at it: where an increment starts."""

    commit_id: str
    position: int
    date: datetime | None
    tree: dict[str, Entry]
    files_read: set[str]

    @classmethod
    def of(cls, plan: dict) -> Base | None:
        if not plan.get("base_commit"):
            return None
        tree = {t["path"]: (t["oid"], t["size"], t["lfs_sha256"]) for t in plan.get("base_tree") or []}
        return cls(
            plan["base_commit"],
            plan["base_position"] or 0,
            plan.get("base_date"),
            tree,
            set(plan.get("files_read") or []),
        )


@dataclass
class RepoData:
    commits: list[Commit]  # oldest first
    head_tree: dict[str, Entry]
    refs: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, name, ref, target commit
    base: Base | None = None  # set when only the commits after base.commit_id were read


def diff_trees(prev: dict[str, Entry], tree: dict[str, Entry]) -> list[FileChange]:
    out = []
    for path in sorted(set(tree) | set(prev)):
        old, new = prev.get(path), tree.get(path)
        entry = new or old
        if old == new or entry is None:
            continue
        change = "added" if old is None else "deleted" if new is None else "modified"
        out.append(FileChange(path, change, entry))
    return out


def ref_kind(ref: str) -> tuple[str, str] | None:
    for prefix, kind in (
        ("refs/heads/", "branch"),
        ("refs/tags/", "tag"),
        ("refs/convert/", "convert"),
        ("refs/pr/", "pr"),
    ):
        if ref.startswith(prefix):
            return kind, ref.removeprefix(prefix)
    return None


# -- rows ---------------------------------------------------------------------------------------------
def history_rows(rows: Rows, mid: str, data: RepoData) -> None:
    start = data.base.position if data.base else 0
    for pos, c in enumerate(data.commits, start=start + 1):
        rows.add(
            "commits",
            {
                "model_id": mid,
                "commit_id": c.commit_id,
                "position": pos,
                "title": c.title,
                "message": c.message,
                "authors": c.authors,
                "date": c.date,
                "files_known": c.files is not None,
            },
        )
        for f in c.files or []:
            oid, size, lfs = f.entry
            rows.add(
                "commit_files",
                {
                    "model_id": mid,
                    "commit_id": c.commit_id,
                    "path": f.path,
                    "change": f.change,
                    "oid": oid,
                    "size": size,
                    "lfs_sha256": lfs,
                    "is_weight": is_weight_file(f.path),
                },
            )
    if data.commits or data.base:
        for path, (oid, size, lfs) in sorted(data.head_tree.items()):
            rows.add("repo_files", {"model_id": mid, "path": path, "size": size, "oid": oid, "lfs_sha256": lfs})
    for kind, name, ref, target in data.refs:
        rows.add("refs", {"model_id": mid, "kind": kind, "name": name, "ref": ref, "target_commit": target})


def wanted_configs(
    siblings: set[str], declares_base: bool, policy: FetchConfigs
) -> list[tuple[str, Relation | None, str | None]]:
    """(path, relation, source) of the config files that can name a parent of this repo."""
    wanted: list[tuple[str, Relation | None, str | None]] = []
    if "adapter_config.json" in siblings:
        wanted.append(("adapter_config.json", "adapter", "adapter_config"))
    if "config.json" in siblings and (policy == "all" or (policy == "undeclared" and not declares_base)):
        wanted.append(("config.json", "unknown", "config"))
    if "mergekit_config.yml" in siblings and not declares_base and policy != "none":
        wanted.append(("mergekit_config.yml", "merge", "mergekit"))
    return wanted


def unchanged(data: RepoData, path: str) -> bool:
    """In an increment: the file was read before and its blob is the same at the new head."""
    base = data.base
    return (
        base is not None
        and path in base.files_read
        and path in data.head_tree
        and base.tree.get(path, (None,))[0] == data.head_tree[path][0]
    )


def file_rows(rows: Rows, plan: dict, data: RepoData, read: Callable[[str], bytes], policy: FetchConfigs) -> list[str]:
    """Card and lineage configs; returns the paths now current in the warehouse (read or kept)."""
    mid, sha = plan["model_id"], plan["sha"]
    siblings = set(plan["siblings"] or [])
    current = []
    wanted = ([(README, None, None)] if README in siblings else []) + wanted_configs(
        siblings, plan["declares_base"], policy
    )
    for path, relation, source in wanted:
        if unchanged(data, path):
            rows.add("repo_kept", {"model_id": mid, "path": path})
            current.append(path)
            continue
        stage = "card" if path == README else "configs"
        try:
            blob = read(path)
        except NotInRepo:
            rows.error(mid, stage, f"{path} is listed but could not be downloaded (entry not found)")
            continue
        current.append(path)
        if relation is None or source is None:
            card_rows(rows, mid, sha, blob)
        else:
            config_rows(rows, mid, path, relation, source, blob)
    return current


def card_rows(rows: Rows, mid: str, sha: str | None, data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        rows.error(mid, "card", "README.md is not valid UTF-8 (undecodable bytes replaced)")
    facts = cards.parse_card(text)
    if facts.yaml_error:
        rows.error(mid, "card", f"card metadata: {facts.yaml_error}")
    rows.add(
        "model_cards",
        {
            "model_id": mid,
            "sha": sha,
            "body": text,
            "length": facts.length,
            "has_front_matter": facts.has_front_matter,
            "yaml_ok": facts.yaml_ok,
            "yaml_error": facts.yaml_error,
            "metadata": json.dumps(facts.metadata, default=str, ensure_ascii=False) if facts.metadata else None,
            "sections": facts.sections,
            "autogenerated": facts.autogenerated,
            "templated": facts.templated,
        },
    )
    fact = energy.from_card_text(facts.body)
    if fact is not None:
        rows.add("energy", {"model_id": mid, **fact.row()})
        if not fact.valid:
            rows.error(mid, "energy", f"CO2 in card text quarantined: {fact.reason}", fact.raw)


def _parse_json(data: bytes, path: str) -> dict:
    if len(data) > MAX_CONFIG_BYTES:
        raise ValueError(f"{path} is {len(data)} bytes, over {MAX_CONFIG_BYTES}")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"truncated or malformed JSON in {path}: {e}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{path} is a JSON {type(value).__name__}, not an object")
    return value


def config_rows(rows: Rows, mid: str, path: str, relation: Relation, source: str, data: bytes) -> None:
    try:
        if path.endswith(".yml"):
            cfg = yaml.safe_load(data.decode("utf-8")) or {}
            models = cfg.get("models", []) if isinstance(cfg, dict) else []
            parents = [m.get("model") for m in models if isinstance(m, dict)]
            base = None
        else:
            cfg = _parse_json(data, path)
            base = cfg.get("base_model_name_or_path") if path == "adapter_config.json" else None
            parents = [base if path == "adapter_config.json" else cfg.get("_name_or_path")]
    except (ValueError, yaml.YAMLError, UnicodeDecodeError, AttributeError) as e:
        rows.error(mid, "configs", " ".join(str(e).split())[:300])
        return
    if not path.endswith(".yml"):
        arch = cfg.get("architectures")
        rows.add(
            "repo_configs",
            {
                "model_id": mid,
                "path": path,
                "base_model_name_or_path": _s(base),
                "name_or_path": _s(cfg.get("_name_or_path")),
                "model_type": _s(cfg.get("model_type")),
                "architectures": [str(a) for a in arch] if isinstance(arch, list) else [],
            },
        )
    for p in parents:
        pid = normalize_repo_id(p)
        if pid and pid != mid:
            rows.add("lineage_edges", {"child_id": mid, "parent_id": pid, "relation": relation, "source": source})


def _s(v) -> str | None:
    return None if v is None else str(v)[:500]
