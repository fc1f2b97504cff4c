"""`hub evolve` on a plain snapshot (models.jsonl, cards/, renames.jsonl), written out on close.

A plain snapshot has no history: an evolved record gets the id of the one commit the replay hub shows for it
(and a crawler reads such a repo again in full).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from pipelines.replay.gitobj import snapshot_commit
from pipelines.replay.repo import Record
from pipelines.replay.store_plain import RENAMES_FILE, card_name, plain_head_tree, read_jsonl
from pipelines.replay.synth.evolver import Evolver, card_update, next_date

COPIED = ("spaces.jsonl", "SOURCES.md")  # files of the snapshot no change touches


class PlainEvolver(Evolver):
    def __init__(self, src: Path, out: Path, rng: random.Random):
        self.src, self.out, self.rng = Path(src), Path(out), rng
        self.records = {r["id"]: r for r in read_jsonl(self.src / "models.jsonl")}
        self.cards: dict[str, bytes | None] = {}  # changed or moved cards by (new) id
        self.renames: list[dict[str, str]] = []

    def ids(self) -> list[str]:
        return list(self.records)

    def taken(self, mid: str) -> bool:
        return mid in self.records

    def record(self, mid: str) -> Record:
        return self.records[mid]

    def card(self, mid: str) -> bytes | None:
        if mid in self.cards:
            return self.cards[mid]
        path = self.src / "cards" / card_name(mid)
        return path.read_bytes() if path.exists() else None

    def commit(
        self, mid: str, *, record: Record | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict[str, str]:
        record = dict(record or self.records[mid])
        date = next_date(record.get("lastModified"), self.rng)
        old_card = self.card(mid)
        if card is not None or old_card is not None:
            self.cards[mid] = card if card is not None else card_update(old_card or b"", date)
            kind, title = "card", title or "Update README.md"
        else:  # no card: a new (empty, as all plain-layout files) results file
            name = f"eval_results_{date[:10]}.json"
            record["siblings"] = [*(record.get("siblings") or []), {"rfilename": name}]
            kind, title = "eval", title or f"Upload {name}"
        record["lastModified"] = date
        record["sha"] = snapshot_commit(record, plain_head_tree(record, self.card(mid)))["id"]
        self.records[mid] = record
        return {"commit_id": record["sha"], "title": title, "kind": kind, "date": date}

    def rename(self, mid: str, new: str) -> None:
        card = self.card(mid)
        self.records = {
            (new if k == mid else k): (dict(v, id=new, modelId=new, author=new.split("/")[0]) if k == mid else v)
            for k, v in self.records.items()
        }
        self.cards.pop(mid, None)
        self.cards[new] = card
        self.cards[mid] = None
        self.renames.append({"old": mid, "new": new})

    def remove(self, mid: str) -> None:
        del self.records[mid]
        self.cards[mid] = None

    def close(self) -> None:
        self._write_cards()
        with open(self.out / "models.jsonl", "w", encoding="utf-8") as fh:
            for record in self.records.values():
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        for name in COPIED:
            if (self.src / name).exists():
                shutil.copyfile(self.src / name, self.out / name)
        old = self.src / RENAMES_FILE
        text = old.read_text() if old.exists() else ""
        if text or self.renames:
            (self.out / RENAMES_FILE).write_text(text + "".join(json.dumps(r) + "\n" for r in self.renames))

    def _write_cards(self) -> None:
        """The source's cards, with changed cards rewritten and those of removed or renamed repos dropped."""
        cards = self.out / "cards"
        if (self.src / "cards").exists():
            shutil.copytree(self.src / "cards", cards, dirs_exist_ok=True)
        cards.mkdir(parents=True, exist_ok=True)
        for mid, body in self.cards.items():
            (cards / card_name(mid)).unlink(missing_ok=True)
            if body is not None:
                (cards / card_name(mid)).write_bytes(body)

    def abort(self) -> None:
        """Nothing is written before close."""
