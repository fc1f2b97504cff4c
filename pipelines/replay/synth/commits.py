"""A synthetic repo's commit history: planned commits made concrete, sealed with git's ids.

The plan (history.py) says what each commit is about; here its files get tree entries (stored contents on
their last write, LFS pointers for weights, fillers otherwise), its dates spread over the repo's active
span, and each commit a truth row saying where a weight change is visible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pipelines.replay.gitobj import Changes, Commit, Entry, git_blob_oid, lfs_pointer_oid, seal_history, sha256_hex
from pipelines.replay.synth.files import GITATTRIBUTES, RepoFiles
from pipelines.replay.synth.history import WEIGHT_SUFFIXES, PlannedCommit, commit_message, plan_commits
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, date_after, zdate


@dataclass
class History:
    commits: list[Commit]  # sealed, oldest first
    tags: list[dict[str, str]]  # release tags as the refs list them: {"name", "commit"}
    truth: list[dict[str, Any]]  # a truth row per planned commit


def represented(release: str | None, changes: Changes, first_upload_of_versioned_name: bool) -> str:
    """Where a weight change is visible: a release tag, the card, the model's name, or nowhere."""
    if release:
        return "tag"
    if "README.md" in changes:
        return "card"
    return "name" if first_upload_of_versioned_name else "none"


class Histories:
    def __init__(self, rng: random.Random, ids: Identities, files: RepoFiles):
        self.rng = rng
        self.ids = ids
        self.files = files

    def plan(
        self, n: Node, weight_file: str, files: dict[str, int], card: bytes | None
    ) -> tuple[list[PlannedCommit], bool]:
        """The planned commits after the initial one (files they introduce join `files`), and popularity."""
        rng = self.rng
        popular = n.downloads >= 1000
        has_release = rng.random() < (0.3 if popular else 0.02)
        extra = min(60, int(rng.expovariate(1 / (1.6 + (1.5 if popular else 0) + (2.5 if n.collaborative else 0)))))
        plan = plan_commits(
            rng,
            weight_file=weight_file,
            owner=n.author,
            team=n.team,
            popular=popular,
            collaborative=n.collaborative,
            has_release=has_release,
            extra_commits=extra,
        )
        if n.checkpoint is not None:  # keep real checkpoint bytes the last word on the weights
            plan = [pc for pc in plan if not pc.touches_weights or pc is plan[0]]
        plan[0].files = sorted(set(plan[0].files) & set(files) | (set(files) - {".gitattributes"}))
        for pc in plan[1:]:
            for f in pc.files:  # files a later change introduces become part of the repo
                size = rng.randint(800, 20000) if not f.endswith(WEIGHT_SUFFIXES) else files[weight_file]
                if card is not None or f != "README.md":  # a repo without a card never gains one
                    files.setdefault(f, size)
            if card is None:
                pc.files = [f for f in pc.files if f != "README.md"]
        return plan, popular

    def build(self, n: Node, plan: list[PlannedCommit], files: dict[str, int], contents: dict[str, bytes]) -> History:
        """The sealed history (an initial commit, then the plan), its release tags and truth rows."""
        rng = self.rng
        last_touch = {f: i for i, pc in enumerate(plan) for f in pc.files}
        t0 = n.created
        t_end = date_after(rng, t0) if plan[1:] else t0 + timedelta(minutes=rng.randint(1, 240))
        span = max(60.0, (t_end - t0).total_seconds())
        self.ids.oid()  # ids are computed when sealed; the draw keeps the random stream of earlier versions
        gitattributes: Entry = [git_blob_oid(GITATTRIBUTES), len(GITATTRIBUTES), None]
        commits: list[Commit] = [
            {
                "title": "initial commit",
                "message": "",
                "authors": ["system"],
                "date": zdate(t0),
                "changes": {".gitattributes": gitattributes},
            }
        ]
        releases: list[tuple[str, int]] = []
        truth: list[dict[str, Any]] = []
        first_weight_upload = True
        for i, pc in enumerate(plan):
            date = t0 + timedelta(seconds=span * ((i + 1) / len(plan)))
            changes: Changes = {
                f: self._change(n, f, files[f], last_touch[f] == i, contents, len(commits)) for f in pc.files
            }
            self.ids.oid()
            commit: Commit = {
                "title": pc.title,
                "message": commit_message(rng, pc),
                "authors": pc.authors,
                "date": zdate(date),
                "changes": changes,
            }
            commits.append(commit)
            if pc.release:
                releases.append((pc.release, len(commits) - 1))
            row = _truth_row(n, i, pc, changes, first_weight_upload)
            first_weight_upload = first_weight_upload and not row["weights_changed"]
            truth.append(row)
        seal_history(commits)
        for k, row in enumerate(truth, start=1):
            row["commit_id"] = commits[k]["id"]
        return History(commits, [{"name": name, "commit": commits[k]["id"]} for name, k in releases], truth)

    def _change(self, n: Node, f: str, size: int, final: bool, contents: dict[str, bytes], index: int) -> Entry:
        """The tree entry a commit writes for file `f`: stored content, an LFS pointer or a regular blob."""
        if f in contents and final:
            data = contents[f]
            return [git_blob_oid(data), len(data), None]
        if f.endswith(WEIGHT_SUFFIXES):
            if final and n.checkpoint is not None and f == "model.safetensors":
                sha = sha256_hex(n.checkpoint)
            else:
                sha = f"{self.rng.getrandbits(256):064x}"
            return [lfs_pointer_oid(sha, size), size, sha]
        return self.files.regular_entry(f, index, size if final else max(1, int(size * self.rng.uniform(0.8, 1.2))))


def _truth_row(n: Node, i: int, pc: PlannedCommit, changes: Changes, first_weight_upload: bool) -> dict[str, Any]:
    """The truth row of planned commit `i` (its commit id is set once the history is sealed)."""
    weights_changed = any(f.endswith(WEIGHT_SUFFIXES) for f in changes)
    return {
        "model_id": n.id,
        "commit_id": None,
        "position": i + 1,
        "categories": pc.categories,
        "weights_changed": weights_changed,
        "represented": (
            represented(pc.release, changes, first_weight_upload and "version" in n.convention)
            if weights_changed
            else None
        ),
        "release": pc.release,
    }
