"""Writing a snapshot store: one SQLite file of model and space records, repo histories, blobs and renames.

Records are kept byte-for-byte as JSON so the hub serves them unaltered; the columns beside them exist for
filters and sorts. The file is written under a temporary name and renamed into place on close, so a killed
writer never leaves a half-written store behind.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TypedDict, Unpack

from pipelines.replay.gitobj import Commit, Tree, git_blob_oid
from pipelines.replay.repo import Record, Refs, declared_parents

SCHEMA = """
CREATE TABLE IF NOT EXISTS models(
  ord INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  id_lower TEXT NOT NULL,
  author TEXT NOT NULL,
  pipeline_tag TEXT NOT NULL DEFAULT '',
  gated TEXT NOT NULL DEFAULT 'false',
  created_at TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  downloads INTEGER NOT NULL DEFAULT 0,
  likes INTEGER NOT NULL DEFAULT 0,
  trending INTEGER NOT NULL DEFAULT 0,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS model_tags(ord INTEGER NOT NULL, tag TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lineage(parent TEXT NOT NULL, child TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS repos(
  id TEXT PRIMARY KEY,
  history BLOB,      -- zlib JSON: commits oldest first, each with `changes`
  head_tree BLOB,    -- zlib JSON: {path: [oid, size, lfs_sha256|null]} for repos without history
  refs TEXT          -- JSON: {"tags": [{"name", "commit"}], "branches": [...], "pullRequests": [...]}
);
CREATE TABLE IF NOT EXISTS blobs(key TEXT PRIMARY KEY, zipped INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS spaces(
  ord INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  id_lower TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  likes INTEGER NOT NULL DEFAULT 0,
  trending INTEGER NOT NULL DEFAULT 0,
  record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS space_models(ord INTEGER NOT NULL, model_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS space_tags(ord INTEGER NOT NULL, tag TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS renames(old TEXT PRIMARY KEY, new TEXT NOT NULL);
"""

# sort parameter of the REST API -> column of the store
MODEL_SORTS = {
    "createdAt": "created_at",
    "lastModified": "last_modified",
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trending",
}
SPACE_SORTS = {k: v for k, v in MODEL_SORTS.items() if k != "downloads"}


def _sorted_by(table: str, columns: Iterable[str]) -> str:
    """Indexes that list `table` by each column, ties broken by position as the listing cursor pages."""
    return "".join(
        f"CREATE INDEX IF NOT EXISTS {table}_{col.removesuffix('_at').removeprefix('last_')} ON {table}({col}, ord);\n"
        for col in columns
    )


# created on close, in this order (the order is part of the file's bytes)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS model_tags_tag ON model_tags(tag, ord);\n"
    + _sorted_by("models", ["author"])
    + "CREATE INDEX IF NOT EXISTS models_id_lower ON models(id_lower);\n"
    + _sorted_by("models", MODEL_SORTS.values())
    + "CREATE INDEX IF NOT EXISTS lineage_parent ON lineage(parent);\n"
    + "CREATE INDEX IF NOT EXISTS space_models_model ON space_models(model_id, ord);\n"
    + "CREATE INDEX IF NOT EXISTS space_tags_tag ON space_tags(tag, ord);\n"
    + _sorted_by("spaces", ["author", "created_at", "last_modified", "likes"])
)


class RepoParts(TypedDict, total=False):
    """What a store keeps of a repo beside its record (add_model's keywords)."""

    history: list[Commit] | None
    head_tree: Tree | None
    refs: Refs | None


def zip_json(obj: object) -> bytes:
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 1)


class StoreWriter:
    """Streams models, repos, blobs and spaces into a new store; indexes are built on close."""

    def __init__(self, path: Path, source: Path | None = None):
        """A new store at `path`, or (with `source`) a copy of an existing store to edit."""
        self.path = Path(path)
        self.tmp = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.unlink(missing_ok=True)
        if source is not None:
            shutil.copyfile(source, self.tmp)
        self.db = sqlite3.connect(self.tmp)
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;")
        self.db.executescript(SCHEMA)
        self._pending = 0

    def add_model(
        self,
        record: Record,
        *,
        history: list[Commit] | None = None,
        head_tree: Tree | None = None,
        refs: Refs | None = None,
        ord_: int | None = None,
    ) -> None:
        mid = record["id"]
        self.db.execute(
            "INSERT INTO models(ord, id, id_lower, author, pipeline_tag, gated, created_at, last_modified,"
            " downloads, likes, trending, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                ord_,
                mid,
                mid.lower(),
                record.get("author") or (mid.split("/")[0] if "/" in mid else ""),
                record.get("pipeline_tag") or "",
                str(record.get("gated", False)).lower(),
                record.get("createdAt") or "",
                record.get("lastModified") or "",
                int(record.get("downloads") or 0),
                int(record.get("likes") or 0),
                int(record.get("trendingScore") or 0),
                json.dumps(record, ensure_ascii=False),
            ),
        )
        ord_ = ord_ or self.db.execute("SELECT last_insert_rowid()").fetchone()[0]
        self.db.executemany("INSERT INTO model_tags VALUES (?,?)", [(ord_, t) for t in set(record.get("tags") or [])])
        self.db.executemany("INSERT INTO lineage VALUES (?,?)", [(p, mid) for p in declared_parents(record)])
        if history is not None or head_tree is not None or refs is not None:
            self.db.execute(
                "INSERT INTO repos VALUES (?,?,?,?)",
                (
                    mid,
                    None if history is None else zip_json(history),
                    None if head_tree is None else zip_json(head_tree),
                    None if refs is None else json.dumps(refs),
                ),
            )
        self._tick()

    def remove_model(self, model_id: str) -> int | None:
        """Drop a model and its repo; returns its listing position (None when it is not there)."""
        row = self.db.execute("SELECT ord FROM models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            return None
        self.db.execute("DELETE FROM model_tags WHERE ord = ?", row)
        self.db.execute("DELETE FROM lineage WHERE child = ?", (model_id,))
        self.db.execute("DELETE FROM repos WHERE id = ?", (model_id,))
        self.db.execute("DELETE FROM models WHERE ord = ?", row)
        return int(row[0])

    def replace_model(self, old_id: str, record: Record, **repo: Unpack[RepoParts]) -> None:
        """Rewrite a model in place (same listing position), under its old or a new id."""
        ord_ = self.remove_model(old_id)
        if ord_ is None:
            raise KeyError(old_id)
        self.add_model(record, ord_=ord_, **repo)

    def add_blob(self, data: bytes, key: str | None = None, *, zipped: bool = False) -> str:
        key = key or git_blob_oid(data)
        payload = zlib.compress(data, 6) if zipped else data
        self.db.execute("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", (key, int(zipped), payload))
        self._tick()
        return key

    def add_space(self, record: Record) -> None:
        sid = record["id"]
        self.db.execute(
            "INSERT INTO spaces(id, id_lower, author, created_at, last_modified, likes, trending, record)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (
                sid,
                sid.lower(),
                record.get("author") or sid.split("/")[0],
                record.get("createdAt") or "",
                record.get("lastModified") or "",
                int(record.get("likes") or 0),
                int(record.get("trendingScore") or 0),
                json.dumps(record, ensure_ascii=False),
            ),
        )
        ord_ = self.db.execute("SELECT last_insert_rowid()").fetchone()[0]
        self.db.executemany("INSERT INTO space_models VALUES (?,?)", [(ord_, m) for m in record.get("models") or []])
        self.db.executemany("INSERT INTO space_tags VALUES (?,?)", [(ord_, t) for t in set(record.get("tags") or [])])
        self._tick()

    def add_rename(self, old: str, new: str) -> None:
        """The hub answers `old` (a repo's id before a rename) with a redirect to `new`."""
        if old == new:
            raise ValueError(f"a rename needs two different ids, got {old!r} twice")
        self.db.execute("INSERT OR REPLACE INTO renames VALUES (?,?)", (old, new))
        self._tick()

    def set_meta(self, key: str, value: object) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, json.dumps(value)))

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= 20000:
            self.db.commit()
            self._pending = 0

    def close(self) -> Path:
        self.db.commit()
        self.db.executescript(INDEXES)
        self.db.execute("ANALYZE")
        self.db.commit()
        self.db.close()
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        self.db.close()
        self.tmp.unlink(missing_ok=True)
