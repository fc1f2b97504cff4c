"""Editing a snapshot store for tests: push a commit to a repo, delete a repo, rename a repo."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from pipelines.replay.gitobj import filler_oid, seal_history
from pipelines.replay.store import StoreWriter


def edited_copy(src: Path, out: Path, *, bump: tuple[str, ...] = (), remove: tuple[str, ...] = (),
                rename: dict[str, str] | None = None, rewrite: tuple[str, ...] = ()) -> Path:
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
            history.append({"title": "Add eval results", "message": "", "authors": [rec.get("author", "x")],
                            "date": "2025-12-01T00:00:00.000Z", "changes": {"eval_results.json": results}})
            rec["sha"] = seal_history(history)[-1]["id"]
            rec["lastModified"] = "2025-12-01T00:00:00.000Z"
        if mid in rewrite and history:
            old_head = history[-1]["id"]
            history[-1] = {**history[-1], "title": history[-1]["title"] + " (amended)"}
            rec["sha"] = seal_history(history)[-1]["id"]
            refs = json.dumps(json.loads(refs or "{}")).replace(old_head, rec["sha"])
        if mid in rename:
            rec["id"] = rec["modelId"] = rename[mid]
        writer.add_model(rec, history=history, head_tree=json.loads(zlib.decompress(head)) if head else None,
                         refs=json.loads(refs) if refs else None)
    for key, zipped, data in src_db.execute("SELECT key, zipped, data FROM blobs"):
        writer.db.execute("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", (key, zipped, data))
    for (rec_text,) in src_db.execute("SELECT record FROM spaces ORDER BY ord"):
        writer.add_space(json.loads(rec_text))
    writer.set_meta("kind", "synthetic")
    src_db.close()
    return writer.close()
