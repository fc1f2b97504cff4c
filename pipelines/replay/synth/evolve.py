"""`hubmine hub evolve`: the next version of a snapshot, as time passing on the Hub would make it.

A share of repos gains a commit (new sha and lastModified, one more commit in its history), is renamed
(same `_id`; the old id is recorded in `renames` and redirects), is removed, or is relicensed (a commit
that changes the license in the card). The chosen sets do not overlap. OUT/truth/changes.parquet records
exactly what changed; a relicensing row names the model, the old and the new license.

Both layouts are evolved in their own form: a store (`hub.sqlite`) gets real commits appended to the
history; a plain snapshot (`models.jsonl`, `cards/`) has no history, so its evolved records get the id of
the one commit the replay hub shows for them (and a crawler reads such a repo again in full).
"""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.replay.gitobj import (
    epoch,
    filler_oid,
    git_blob_oid,
    hub_date,
    lfs_pointer_oid,
    seal_history,
    sha256_hex,
    snapshot_commit,
)
from pipelines.replay.store import STORE_FILE, SnapshotStore, StoreWriter, card_name, plain_head_tree
from pipelines.replay.synth import vocab
from pipelines.replay.synth.history import WEIGHT_SUFFIXES

S = pa.string()
CHANGES_SCHEMA = pa.schema(
    [
        ("change", S),
        ("model_id", S),
        ("new_id", S),
        ("mongo_id", S),
        ("commit_id", S),
        ("title", S),
        ("kind", S),
        ("date", S),
        ("old_license", S),
        ("new_license", S),
    ]
)
COMMIT_KINDS = {"card": 0.4, "eval": 0.35, "weights": 0.25}
LICENSE_LINE = re.compile(r"^license:.*$", re.MULTILINE)


@dataclass
class Shares:
    commits: float = 0.01
    renames: float = 0.0
    removals: float = 0.0
    license_changes: float = 0.0

    def check(self) -> None:
        for name, v in vars(self).items():
            if not 0 <= v <= 1:
                raise ValueError(f"--{name.replace('_', '-')} must be a share between 0 and 1, not {v}")
        if sum(vars(self).values()) > 1:
            raise ValueError("the shares add up to more than 1 (each repo changes in one way at most)")


def choose(ids: list[str], shares: Shares, rng: random.Random, relicensable) -> dict[str, str]:
    """Disjoint sets of repos per change, `share` of all repos each: {model id: change}. Relicensing takes
    repos whose card has metadata to change."""
    order = list(ids)
    rng.shuffle(order)
    plan: dict[str, str] = {}
    for change, share in (
        ("license", shares.license_changes),
        ("removal", shares.removals),
        ("rename", shares.renames),
        ("commit", shares.commits),
    ):
        k = round(share * len(ids))
        for mid in order:
            if k == 0:
                break
            if mid not in plan and (change != "license" or relicensable(mid)):
                plan[mid] = change
                k -= 1
    return plan


def next_date(last: str | None, rng: random.Random) -> str:
    base = epoch(last) if last else int(datetime(2025, 10, 1, tzinfo=UTC).timestamp())
    return hub_date(base + rng.randint(3600, 30 * 86400))


# -- what a change does to a card and a record --------------------------------------------------------
def card_update(card: bytes, date: str) -> bytes:
    note = f"\n\n## Updates\n\n- {date[:10]}: evaluation results and usage notes refreshed.\n"
    return card.rstrip(b"\n") + note.encode()


def relicense_card(card: bytes, new: str) -> bytes | None:
    """The card with its front-matter license replaced (or added); None when it has no front matter."""
    text = card.decode("utf-8", errors="replace")
    if not text.startswith("---\n") or text.find("\n---", 3) < 0:
        return None
    end = text.find("\n---", 3)
    head, rest = text[:end], text[end:]
    head = (
        LICENSE_LINE.sub(f"license: {new}", head, count=1)
        if LICENSE_LINE.search(head)
        else head.replace("---\n", f"---\nlicense: {new}\n", 1)
    )
    return (head + rest).encode()


def relicense_record(record: dict, new: str) -> str | None:
    """Set the card data's license (and the license tag); returns the old license."""
    card = record.get("cardData") if isinstance(record.get("cardData"), dict) else {}
    old = card.get("license")
    record["cardData"] = {**card, "license": new}
    tags = [t for t in record.get("tags") or [] if not str(t).startswith("license:")]
    record["tags"] = tags + [f"license:{new}"]
    return old if isinstance(old, str) else None if old is None else str(old)


def _license(record: dict) -> str | None:
    card = record.get("cardData")
    lic = card.get("license") if isinstance(card, dict) else None
    return lic if isinstance(lic, str) else None


def pick_license(old: str | None, rng: random.Random) -> str:
    return rng.choice([lic for lic in vocab.ROOT_LICENSES if lic != old])


def new_id(mid: str, taken, authors: list[str], rng: random.Random) -> str:
    """A free id for a renamed repo: moved to another owner, or renamed by its owner."""
    owner, _, name = mid.rpartition("/")
    for k in range(1, 1000):
        if authors and rng.random() < 0.5:
            cand = f"{rng.choice(authors)}/{name}"
        else:
            cand = f"{owner}/{name}-v{k + 1}" if owner else f"{name}-v{k + 1}"
        if not taken(cand):
            return cand
    raise RuntimeError(f"no free id to rename {mid} to")


class Evolver:
    """What both layouts share: relicensing is a commit that changes the card."""

    rng: random.Random

    def card(self, mid: str) -> bytes | None:
        raise NotImplementedError

    def record(self, mid: str) -> dict:
        raise NotImplementedError

    def commit(
        self, mid: str, *, record: dict | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict:
        raise NotImplementedError

    def relicensable(self, mid: str) -> bool:
        return isinstance(self.record(mid).get("cardData"), dict) and self.card(mid) is not None

    def relicense(self, mid: str) -> dict | None:
        """A commit that changes the card's license (None when the card has no front matter to change)."""
        card = self.card(mid)
        record = dict(self.record(mid))
        new = pick_license(_license(record), self.rng)
        body = relicense_card(card, new) if card else None
        if body is None:
            return None
        old = relicense_record(record, new)
        done = self.commit(mid, record=record, card=body, title="Update license")
        return {**done, "old_license": old, "new_license": new}


# -- store layout ---------------------------------------------------------------------------------------
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

    def record(self, mid: str) -> dict:
        return self.store.model(mid)

    def card(self, mid: str) -> bytes | None:
        repo = self.store.repo(mid)
        return self._card(repo.tree(len(repo.history) - 1))

    def _repo(self, mid: str):
        repo = self.store.repo(mid)
        history = [dict(c) for c in repo.history]  # a history-less repo starts from its synthesized commit
        return repo, history

    def _card(self, tree: dict) -> bytes | None:
        entry = tree.get("README.md")
        return self.store.blob(entry[0]) if entry else None

    def commit(
        self, mid: str, *, record: dict | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict:
        """Append one commit to a repo (a card update, evaluation results or new weights; `card` forces the card)."""
        repo, history = self._repo(mid)
        record = dict(record or repo.record)
        tree = repo.tree(len(repo.history) - 1)
        date = next_date(history[-1]["date"], self.rng)
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
        if kind == "card" and old_card is None and card is None or kind == "weights" and weight is None:
            kind = "eval"
        changes, title = self._changes(kind, tree, len(history), old_card, card, weight, date, title)
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
            record["usedStorage"] = sum(e[1] for e in files.values())
        self.writer.replace_model(mid, record, history=history, refs=repo.refs)
        return {"commit_id": history[-1]["id"], "title": title, "kind": kind, "date": date}

    def _changes(self, kind, tree, idx, old_card, card, weight, date, title):
        if card is not None or kind == "card":
            body = card if card is not None else card_update(old_card, date)
            self.writer.add_blob(body, zipped=True)
            return {"README.md": [git_blob_oid(body), len(body), None]}, title or "Update README.md"
        if kind == "weights":
            size = tree[weight][1]
            sha = sha256_hex(f"{weight}\0{date}".encode())
            return {weight: [lfs_pointer_oid(sha, size), size, sha]}, title or f"Upload {weight} with huggingface_hub"
        size = self.rng.randint(300, 4000)
        path = "eval_results.json"
        return {path: [filler_oid(path, idx, size), size, None]}, title or "Add evaluation results"

    def rename(self, mid: str, new: str) -> None:
        repo = self.store.repo(mid)
        owner = new.split("/")[0] if "/" in new else repo.record.get("author")
        record = dict(repo.record, id=new, modelId=new, author=owner)
        self.writer.replace_model(
            mid, record, history=None if repo.synthesized else repo.history, head_tree=repo.head_tree, refs=repo.refs
        )
        self.writer.add_rename(mid, new)

    def remove(self, mid: str) -> None:
        self.writer.remove_model(mid)

    def close(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        self.writer.abort()


# -- plain layout ---------------------------------------------------------------------------------------
class PlainEvolver(Evolver):
    """Applies changes to a plain snapshot (models.jsonl, cards/, renames.jsonl), written out on close."""

    def __init__(self, src: Path, out: Path, rng: random.Random):
        self.src, self.out, self.rng = Path(src), Path(out), rng
        with open(self.src / "models.jsonl", encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        self.records = {r["id"]: r for r in records}
        self.cards: dict[str, bytes | None] = {}  # changed or moved cards by (new) id
        self.renames: list[dict] = []

    def ids(self) -> list[str]:
        return list(self.records)

    def taken(self, mid: str) -> bool:
        return mid in self.records

    def record(self, mid: str) -> dict:
        return self.records[mid]

    def card(self, mid: str) -> bytes | None:
        if mid in self.cards:
            return self.cards[mid]
        path = self.src / "cards" / card_name(mid)
        return path.read_bytes() if path.exists() else None

    def commit(
        self, mid: str, *, record: dict | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict:
        record = dict(record or self.records[mid])
        date = next_date(record.get("lastModified"), self.rng)
        old_card = self.card(mid)
        kind = "card" if card is not None or old_card is not None else "eval"
        if kind == "card":
            card = card if card is not None else card_update(old_card, date)
            self.cards[mid] = card
            title = title or "Update README.md"
        else:  # no card: a new (empty, as all plain-layout files) results file
            name = f"eval_results_{date[:10]}.json"
            record["siblings"] = [*(record.get("siblings") or []), {"rfilename": name}]
            title = title or f"Upload {name}"
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
        cards = self.out / "cards"
        if (self.src / "cards").exists():
            shutil.copytree(self.src / "cards", cards, dirs_exist_ok=True)
        cards.mkdir(parents=True, exist_ok=True)
        for mid, body in self.cards.items():
            (cards / card_name(mid)).unlink(missing_ok=True)
            if body is not None:
                (cards / card_name(mid)).write_bytes(body)
        with open(self.out / "models.jsonl", "w", encoding="utf-8") as fh:
            for record in self.records.values():
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        for name in ("spaces.jsonl", "SOURCES.md"):
            if (self.src / name).exists():
                shutil.copyfile(self.src / name, self.out / name)
        old = (self.src / "renames.jsonl").read_text() if (self.src / "renames.jsonl").exists() else ""
        if old or self.renames:
            (self.out / "renames.jsonl").write_text(old + "".join(json.dumps(r) + "\n" for r in self.renames))

    def abort(self) -> None:
        pass


def evolve(src: Path, out: Path, shares: Shares, seed: int = 0) -> dict:
    """Write the next version of the snapshot in `src` to `out`; returns what changed, counted."""
    src, out = Path(src), Path(out)
    shares.check()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    if (src / STORE_FILE).exists():
        ev = StoreEvolver(src / STORE_FILE, out / STORE_FILE, rng)
    elif (src / "models.jsonl").exists():
        ev = PlainEvolver(src, out, rng)
    else:
        raise FileNotFoundError(f"{src} is not a snapshot directory (no {STORE_FILE} and no models.jsonl)")
    truth: list[dict] = []
    try:
        ids = ev.ids()
        for mid, change in choose(ids, shares, rng, ev.relicensable).items():
            truth.append(_apply(ev, mid, change, ids, rng))
        ev.close()
    except BaseException:
        ev.abort()
        raise
    truth = [t for t in truth if t is not None]
    _write_truth(src, out, truth)
    counts = {c: sum(1 for t in truth if t["change"] == c) for c in ("commit", "rename", "removal", "license")}
    manifest = json.loads((src / "SNAPSHOT.json").read_text()) if (src / "SNAPSHOT.json").exists() else {"kind": "real"}
    manifest.update(
        evolved_from=str(src),
        evolve={
            **vars(shares),
            "seed": seed,
            "changed": counts,
            "note": "changes applied by hubmine hub evolve (synthetic); truth/changes.parquet lists them",
        },
    )
    (out / "SNAPSHOT.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return counts


def _apply(ev, mid: str, change: str, ids: list[str], rng: random.Random) -> dict | None:
    row = {"change": change, "model_id": mid, "mongo_id": ev.record(mid).get("_id")}
    if change == "removal":
        ev.remove(mid)
    elif change == "rename":
        owners = sorted({i.split("/")[0] for i in rng.sample(ids, min(len(ids), 50)) if "/" in i})
        row["new_id"] = new_id(mid, ev.taken, owners, rng)
        ev.rename(mid, row["new_id"])
    elif change == "license":
        done = ev.relicense(mid)
        if done is None:
            return None
        row.update(done)
    else:
        row.update(ev.commit(mid))
    return row


def _write_truth(src: Path, out: Path, rows: list[dict]) -> None:
    truth = out / "truth"
    if (src / "truth").exists() and src.resolve() != out.resolve():
        shutil.copytree(src / "truth", truth, dirs_exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=CHANGES_SCHEMA), truth / "changes.parquet")
