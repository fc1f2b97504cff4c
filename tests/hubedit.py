"""Snapshots for tests: edit a store (push a commit, delete or rename a repo), write small plain snapshots."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from pathlib import Path

from pipelines.replay.gitobj import filler_oid, seal_history
from pipelines.replay.store import StoreWriter


def edited_copy(
    src: Path,
    out: Path,
    *,
    bump: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
    rewrite: tuple[str, ...] = (),
) -> Path:
    """A copy of a store with repos bumped (one more commit), removed, renamed, or rewritten (the last commit
    replaced by another one, as a force push does)."""
    rename = rename or {}
    src_db = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    writer = StoreWriter(out)
    repos = {r[0]: r[1:] for r in src_db.execute("SELECT id, history, head_tree, refs FROM repos")}
    for (rec_text,) in src_db.execute("SELECT record FROM models ORDER BY ord"):
        rec = json.loads(rec_text)
        mid = rec["id"]
        if mid in remove:
            continue
        history, head, refs = repos.get(mid, (None, None, None))
        history = json.loads(zlib.decompress(history)) if history else None
        if mid in bump and history:
            results = [filler_oid("eval_results.json", len(history), 123), 123, None]
            history.append(
                {
                    "title": "Add eval results",
                    "message": "",
                    "authors": [rec.get("author", "x")],
                    "date": "2025-12-01T00:00:00.000Z",
                    "changes": {"eval_results.json": results},
                }
            )
            rec["sha"] = seal_history(history)[-1]["id"]
            rec["lastModified"] = "2025-12-01T00:00:00.000Z"
        if mid in rewrite and history:
            old_head = history[-1]["id"]
            history[-1] = {**history[-1], "title": history[-1]["title"] + " (amended)"}
            rec["sha"] = seal_history(history)[-1]["id"]
            refs = json.dumps(json.loads(refs or "{}")).replace(old_head, rec["sha"])
        if mid in rename:
            rec["id"] = rec["modelId"] = rename[mid]
        writer.add_model(
            rec,
            history=history,
            head_tree=json.loads(zlib.decompress(head)) if head else None,
            refs=json.loads(refs) if refs else None,
        )
    for key, zipped, data in src_db.execute("SELECT key, zipped, data FROM blobs"):
        writer.db.execute("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", (key, zipped, data))
    for (rec_text,) in src_db.execute("SELECT record FROM spaces ORDER BY ord"):
        writer.add_space(json.loads(rec_text))
    writer.set_meta("kind", "synthetic")
    src_db.close()
    return writer.close()


def plain_record(model_id: str, card: dict | None = None) -> dict:
    """A listing record in the REST API's shape (what a plain snapshot's models.jsonl holds)."""
    digest = hashlib.sha1(model_id.encode()).hexdigest()
    record = {
        "_id": digest[:24],
        "id": model_id,
        "modelId": model_id,
        "author": model_id.split("/")[0],
        "sha": digest,
        "lastModified": "2025-01-01T00:00:00.000Z",
        "createdAt": "2025-01-01T00:00:00.000Z",
        "private": False,
        "downloads": 1,
        "likes": 0,
        "tags": [],
        "siblings": [{"rfilename": "README.md"}],
    }
    if card is not None:
        record["cardData"] = card
    return record


def write_plain_snapshot(out: Path, records: list[dict], renames: dict[str, str] | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "models.jsonl", "w", encoding="utf-8") as fh:
        for r in sorted(records, key=lambda r: r["id"].lower()):
            fh.write(json.dumps(r) + "\n")
    if renames:
        with open(out / "renames.jsonl", "w", encoding="utf-8") as fh:
            for old, new in renames.items():
                fh.write(json.dumps({"old": old, "new": new}) + "\n")
    return out


# A family whose children name the base by its pre-rename id and by another letter case, a merge of a deep
# model with a root, and `license: other` upstreams (llama4, exaone) relicensed permissively downstream.
RENAMED_FAMILY = [
    ("acme/base-v1", {"license": "apache-2.0"}),
    ("u1/ft-old-name", {"base_model": "base-v1", "license": "apache-2.0"}),
    ("u2/ft-case", {"base_model": "ACME/Base-V1", "license": "apache-2.0"}),
    ("u3/ft-current", {"base_model": "acme/base-v1", "license": "apache-2.0"}),
    ("r/root", {"license": "mit"}),
    ("c/m1", {"base_model": "r/root", "license": "mit"}),
    ("c/m2", {"base_model": "c/m1", "license": "mit"}),
    ("c/m3", {"base_model": "c/m2", "license": "mit"}),
    ("c/merged", {"base_model": ["c/m3", "r/root"], "base_model_relation": "merge", "license": "mit"}),
    ("meta-llama/Llama-4-Scout-17B-16E", {"license": "other", "license_name": "llama4"}),
    ("v/scout-tune", {"base_model": "meta-llama/Llama-4-Scout-17B-16E", "license": "apache-2.0"}),
    ("LGAI-EXAONE/EXAONE-Deep-32B", {"license": "other", "license_name": "exaone"}),
    ("v/exaone-tune", {"base_model": "LGAI-EXAONE/EXAONE-Deep-32B", "license": "mit"}),
]
RENAMED_FAMILY_RENAMES = {"base-v1": "acme/base-v1"}


def renamed_family_snapshot(out: Path) -> Path:
    return write_plain_snapshot(out, [plain_record(m, c) for m, c in RENAMED_FAMILY], RENAMED_FAMILY_RENAMES)
