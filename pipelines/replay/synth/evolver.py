"""What `hub evolve` does to one repo, whatever the snapshot's layout: the edits to cards and records, and the
interface each layout implements (store_evolver.py, plain_evolver.py). Relicensing is a commit that changes
the card's front matter and the record's card data and license tag together.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pipelines.replay.gitobj import epoch, hub_date
from pipelines.replay.repo import Record
from pipelines.replay.synth import vocab

COMMIT_KINDS = {"card": 0.4, "eval": 0.35, "weights": 0.25}
LICENSE_LINE = re.compile(r"^license:.*$", re.MULTILINE)
EVOLVE_START = datetime(2025, 10, 1, tzinfo=UTC)  # the first commit date of a repo without one


def next_date(last: str | None, rng: random.Random) -> str:
    base = epoch(last) if last else int(EVOLVE_START.timestamp())
    return hub_date(base + rng.randint(3600, 30 * 86400))


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


def relicense_record(record: Record, new: str) -> str | None:
    """Set the card data's license (and the license tag); returns the old license."""
    card: dict[str, Any] = record["cardData"] if isinstance(record.get("cardData"), dict) else {}
    old = card.get("license")
    record["cardData"] = {**card, "license": new}
    tags = [t for t in record.get("tags") or [] if not str(t).startswith("license:")]
    record["tags"] = tags + [f"license:{new}"]
    return old if isinstance(old, str) else None if old is None else str(old)


def card_license(record: Record) -> str | None:
    card = record.get("cardData")
    lic = card.get("license") if isinstance(card, dict) else None
    return lic if isinstance(lic, str) else None


def pick_license(old: str | None, rng: random.Random) -> str:
    return rng.choice([lic for lic in vocab.ROOT_LICENSES if lic != old])


def new_id(mid: str, taken: Callable[[str], bool], authors: list[str], rng: random.Random) -> str:
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


class Evolver(ABC):
    """The changes `hub evolve` applies to one snapshot layout; written out on close."""

    rng: random.Random

    @abstractmethod
    def ids(self) -> list[str]: ...

    @abstractmethod
    def taken(self, mid: str) -> bool: ...

    @abstractmethod
    def record(self, mid: str) -> Record: ...

    @abstractmethod
    def card(self, mid: str) -> bytes | None: ...

    @abstractmethod
    def commit(
        self, mid: str, *, record: Record | None = None, card: bytes | None = None, title: str | None = None
    ) -> dict[str, str]:
        """One more commit (`card` forces a card update with that body); returns its id, title, kind and date."""

    @abstractmethod
    def rename(self, mid: str, new: str) -> None: ...

    @abstractmethod
    def remove(self, mid: str) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def abort(self) -> None: ...

    def relicensable(self, mid: str) -> bool:
        return isinstance(self.record(mid).get("cardData"), dict) and self.card(mid) is not None

    def relicense(self, mid: str) -> dict[str, Any] | None:
        """A commit that changes the card's license (None when the card has no front matter to change)."""
        card = self.card(mid)
        record = dict(self.record(mid))
        new = pick_license(card_license(record), self.rng)
        body = relicense_card(card, new) if card else None
        if body is None:
            return None
        old = relicense_record(record, new)
        done = self.commit(mid, record=record, card=body, title="Update license")
        return {**done, "old_license": old, "new_license": new}
