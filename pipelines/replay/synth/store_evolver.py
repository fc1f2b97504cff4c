"""`hub evolve` on a store (`hub.sqlite`): real commits appended to a repo's history, in a copy of the store."""

from __future__ import annotations

import random
from pathlib import Path

from pipelines.replay.gitobj import (
    Changes,
    Commit,
    Tree,
    filler_oid,
    git_blob_oid,
    lfs_pointer_oid,
    seal_history,
    sha256_hex,
)
from pipelines.replay.repo import Record, Repo
from pipelines.replay.store import SnapshotStore
from pipelines.replay.store_writer import StoreWriter
from pipelines.replay.synth.evolver import COMMIT_KINDS, Evolver, card_update, next_date
from pipelines.replay.synth.history import WEIGHT_SUFFIXES


class StoreEvolver(Evolver):
    """Applies changes to a copy of a store: one commit appended per commit or relicensing."""

    def __init__(self, src: Path, out: Path, rng: random.Random):
        self.store = SnapshotStore(src)
        self.writer = StoreWriter(out, source=src)
        self.rng = rng

    def ids(self) -> list[str]:
        return list(self.store.model_ids())

    def taken(self, mid: str) -> bool:
        return self.writer.db.execute("SELECT 1 FROM models WHERE id = ?", (mid,)).fetchone() is not None

    def _repo(self, mid: str) -> Repo:
        repo = self.store.repo(mid)
        if repo is None:
            raise KeyError(mid)
        return repo

    def record(self, mid: str) -> Record:
        return self._repo(mid).record

    def card(self, mid: str) -> bytes | None:
        return self._card(self._repo(mid).head_files())

    def _card(self, tree: Tree) -> bytes | None:
        entry = tree.get("README.md")
        return self.store.blob(entry[0]) if entry else None

    def commit(
        self, mid: str, *, record: Record | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict[str, str]:
        """Append a card update, evaluation results or new weights to a repo (`card` forces the card)."""
        repo = self._repo(mid)
        history: list[Commit] = [c.copy() for c in repo.history]  # a history-less repo starts from its one commit
        record = dict(record or repo.record)
        tree = repo.head_files()
        date = next_date(history[-1]["date"], self.rng)
        changes, kind, title = self._changes(tree, len(history), card, date, title)
        history.append(
            {
                "title": title,
                "message": "",
                "authors": [record.get("author") or mid.split("/")[0]],
                "date": date,
                "changes": changes,
            }
        )
        seal_history(history)
        files = {**tree, **changes}
        record.update(sha=history[-1]["id"], lastModified=date, siblings=[{"rfilename": p} for p in sorted(files)])
        if "usedStorage" in record:
            record["usedStorage"] = sum(e[1] for e in files.values() if e is not None)
        self.writer.replace_model(mid, record, history=history, refs=repo.refs)
        return {"commit_id": history[-1]["id"], "title": title, "kind": kind, "date": date}

    def _changes(
        self, tree: Tree, idx: int, card: bytes | None, date: str, title: str | None
    ) -> tuple[Changes, str, str]:
        """What the commit at index `idx` changes, its kind and its title."""
        old_card = self._card(tree)
        kind = "card" if card is not None else self.rng.choices(list(COMMIT_KINDS), list(COMMIT_KINDS.values()))[0]
        weight = next(
            (
                p
                for p, e in sorted(tree.items())
                if p.endswith(WEIGHT_SUFFIXES) and e[2] and self.store.blob(e[2]) is None
            ),
            None,
        )  # never replace a real checkpoint
        if card is None and kind == "card":
            card = card_update(old_card, date) if old_card is not None else None
            kind = "card" if card is not None else "eval"
        if card is not None:
            self.writer.add_blob(card, zipped=True)
            return {"README.md": [git_blob_oid(card), len(card), None]}, kind, title or "Update README.md"
        if kind == "weights" and weight is not None:
            size = tree[weight][1]
            sha = sha256_hex(f"{weight}\0{date}".encode())
            upload = [lfs_pointer_oid(sha, size), size, sha]
            return {weight: upload}, kind, title or f"Upload {weight} with huggingface_hub"
        size = self.rng.randint(300, 4000)
        path = "eval_results.json"
        return {path: [filler_oid(path, idx, size), size, None]}, "eval", title or "Add evaluation results"

    def rename(self, mid: str, new: str) -> None:
        repo = self._repo(mid)
        owner = new.split("/")[0] if "/" in new else repo.record.get("author")
        record = dict(repo.record, id=new, modelId=new, author=owner)
        history = None if repo.synthesized else repo.history
        self.writer.replace_model(mid, record, history=history, head_tree=repo.head_tree, refs=repo.refs)
        self.writer.add_rename(mid, new)

    def remove(self, mid: str) -> None:
        self.writer.remove_model(mid)

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.abort()
