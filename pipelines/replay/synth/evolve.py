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
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.replay.store import STORE_FILE
from pipelines.replay.synth.evolver import Evolver, new_id
from pipelines.replay.synth.plain_evolver import PlainEvolver
from pipelines.replay.synth.store_evolver import StoreEvolver

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
CHANGES = ("commit", "rename", "removal", "license")


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


def choose(ids: list[str], shares: Shares, rng: random.Random, relicensable: Callable[[str], bool]) -> dict[str, str]:
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


def evolve(src: Path, out: Path, shares: Shares, seed: int = 0) -> dict[str, int]:
    """Write the next version of the snapshot in `src` to `out`; returns what changed, counted."""
    src, out = Path(src), Path(out)
    shares.check()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    ev = _evolver(src, out, rng)
    truth: list[dict[str, Any]] = []
    try:
        ids = ev.ids()
        for mid, change in choose(ids, shares, rng, ev.relicensable).items():
            row = _apply(ev, mid, change, ids, rng)
            if row is not None:
                truth.append(row)
        ev.close()
    except BaseException:
        ev.abort()
        raise
    _write_truth(src, out, truth)
    counts = {c: sum(1 for t in truth if t["change"] == c) for c in CHANGES}
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


def _evolver(src: Path, out: Path, rng: random.Random) -> Evolver:
    if (src / STORE_FILE).exists():
        return StoreEvolver(src / STORE_FILE, out / STORE_FILE, rng)
    if (src / "models.jsonl").exists():
        return PlainEvolver(src, out, rng)
    raise FileNotFoundError(f"{src} is not a snapshot directory (no {STORE_FILE} and no models.jsonl)")


def _apply(ev: Evolver, mid: str, change: str, ids: list[str], rng: random.Random) -> dict[str, Any] | None:
    """Apply one change; returns its truth row (None: a relicensing the card could not take)."""
    row: dict[str, Any] = {"change": change, "model_id": mid, "mongo_id": ev.record(mid).get("_id")}
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


def _write_truth(src: Path, out: Path, rows: list[dict[str, Any]]) -> None:
    truth = out / "truth"
    if (src / "truth").exists() and src.resolve() != out.resolve():
        shutil.copytree(src / "truth", truth, dirs_exist_ok=True)
    truth.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=CHANGES_SCHEMA), truth / "changes.parquet")
