"""One model repo as the replay hub serves it: its record, its commit history and its refs.

The REST routes and the git server see every repo through this shape, whatever the snapshot stores: a store's
history, or (for a snapshot without history, as the real sample) one synthesized commit of the listed files,
the same through the REST API and git. A snapshot of real git repositories would build the same shape from git.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipelines.replay.gitobj import Commit, Tree, fold_tree, snapshot_commit

Record = dict[str, Any]  # a model or space record as the Hub lists it (JSON)
Refs = dict[str, list[dict[str, str]]]  # {"tags" | "branches" | "converts" | "pullRequests": [{"name", "commit"}]}


def declared_parents(record: Record) -> list[str]:
    """Parents named in the card's base_model (string or list), as the Hub derives its model tree."""
    card = record.get("cardData") or {}
    base = card.get("base_model") if isinstance(card, dict) else None
    if isinstance(base, str):
        return [base]
    if isinstance(base, list):
        return [b for b in base if isinstance(b, str)]
    return []


@dataclass
class Repo:
    """A repo's record, history (oldest first) and refs. A synthesized repo's listing keeps the record's real
    sha, which resolves to its one commit."""

    record: Record
    history: list[Commit]
    refs: Refs
    head_tree: Tree | None = None  # the stored file list of a repo without history
    synthesized: bool = False

    @classmethod
    def of(cls, record: Record, history: list[Commit] | None, head_tree: Tree | None, refs: Refs) -> Repo:
        if history:
            return cls(record, history, refs, head_tree)
        return cls(record, [snapshot_commit(record, head_tree or {})], refs, head_tree, synthesized=True)

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def head(self) -> str:
        return self.history[-1]["id"]

    @property
    def listed_sha(self) -> str:
        return self.record.get("sha") or self.head

    def resolve(self, rev: str) -> int | None:
        """Index into history of a branch, tag or commit sha (the listed sha is the head)."""
        rev = rev.removeprefix("refs/heads/")
        tags = {t["name"]: t["commit"] for t in self.refs.get("tags", [])}
        branches = {b["name"]: b["commit"] for b in self.refs.get("branches", [])}
        if rev.startswith("refs/tags/"):
            rev = tags.get(rev.removeprefix("refs/tags/"), "")
        elif rev in tags:
            rev = tags[rev]
        elif rev in branches:
            rev = branches[rev]
        elif rev in ("main", self.listed_sha):
            rev = self.head
        for i in range(len(self.history) - 1, -1, -1):
            cid = self.history[i]["id"]
            if cid == rev or (len(rev) >= 7 and cid.startswith(rev)):
                return i
        return None

    def commit_id(self, idx: int) -> str:
        return self.history[idx]["id"]

    def tree(self, idx: int) -> Tree:
        return fold_tree(self.history, idx)

    def head_files(self) -> Tree:
        return self.tree(len(self.history) - 1)

    def origin(self, idx: int, path: str) -> int:
        """Index of the commit (at or before `idx`) that wrote the current version of `path`."""
        for i in range(idx, -1, -1):
            if path in self.history[i].get("changes", {}):
                return i
        return 0
