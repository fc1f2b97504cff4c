"""The plain snapshot layout (the real sample's): imported into a store on first use.

`models.jsonl` (one record a line), `cards/<author>__<name>.md`, an optional `spaces.jsonl` and an optional
`renames.jsonl` (`{"old": ..., "new": ...}` a line: an old repo id the hub redirects to its new one).
Repos of this layout carry no commit history; their head tree is the record's siblings, with README.md taken
from cards/ (files whose content is not in the snapshot are served empty).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.replay.gitobj import EMPTY_BLOB, Tree, git_blob_oid
from pipelines.replay.repo import Record
from pipelines.replay.store_writer import StoreWriter

RENAMES_FILE = "renames.jsonl"


def card_name(model_id: str) -> str:
    """File name of a model's card in a plain snapshot's cards/ directory."""
    return model_id.replace("/", "__") + ".md"


def plain_head_tree(record: Record, card: bytes | None) -> Tree:
    """The files of a plain-layout repo: its listed siblings, served empty, and README.md from cards/."""
    tree: Tree = {s["rfilename"]: [EMPTY_BLOB, 0, None] for s in record.get("siblings") or [] if "rfilename" in s}
    if card is not None:
        tree["README.md"] = [git_blob_oid(card), len(card), None]
    return tree


def import_plain_snapshot(src: Path, writer: StoreWriter) -> None:
    """Import the plain layout in `src` into a store."""
    src = Path(src)
    space_models = _import_models(src, writer)
    spaces_file = src / "spaces.jsonl"
    if spaces_file.exists():
        for record in read_jsonl(spaces_file):
            writer.add_space(record)
    else:
        # Spaces known only from the models that name them: serve just what the records say.
        for sid in sorted(space_models):
            writer.add_space({"id": sid, "author": sid.split("/")[0], "models": sorted(space_models[sid])})
        writer.set_meta("spaces_derived_from_models", True)
    _import_renames(src / RENAMES_FILE, writer)
    manifest = src / "SNAPSHOT.json"
    writer.set_meta("kind", json.loads(manifest.read_text()).get("kind", "real") if manifest.exists() else "real")


def read_jsonl(path: Path) -> list[Record]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _import_models(src: Path, writer: StoreWriter) -> dict[str, list[str]]:
    """Models with their cards as blobs; returns the spaces the records name, with the models naming each."""
    space_models: dict[str, list[str]] = {}
    with open(src / "models.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            mid = record["id"]
            card = src / "cards" / card_name(mid)
            body = card.read_bytes() if card.exists() else None
            if body is not None:
                writer.add_blob(body, zipped=True)
            writer.add_model(record, head_tree=plain_head_tree(record, body))
            for sid in record.get("spaces") or []:
                space_models.setdefault(sid, []).append(mid)
    return space_models


def _import_renames(path: Path, writer: StoreWriter) -> None:
    """`renames.jsonl` of a plain snapshot: one `{"old": ..., "new": ...}` per line."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                old, new = row["old"], row["new"]
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f'{path}:{i}: not a {{"old": ..., "new": ...}} record ({e})') from None
            if not (isinstance(old, str) and isinstance(new, str) and old and new):
                raise ValueError(f"{path}:{i}: old and new must be repo ids")
            writer.add_rename(old, new)
