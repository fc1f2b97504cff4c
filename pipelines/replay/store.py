"""The replay hub's snapshot store: one SQLite file per snapshot, read with bounded memory.

A snapshot directory holds either `hub.sqlite` (written by `hubmine hub synth`, see store_writer.py) or the
plain layout of the real sample (store_plain.py), imported into a store on first use. The routes of the
replay hub read everything through SnapshotStore: listings, records, repos (repo.py) and file contents.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.replay.gitobj import Entry, filler_blob, git_blob_oid, lfs_pointer
from pipelines.replay.repo import Record, Repo
from pipelines.replay.store_plain import import_plain_snapshot
from pipelines.replay.store_writer import MODEL_SORTS, SPACE_SORTS, StoreWriter

STORE_FILE = "hub.sqlite"
MAX_RENAME_HOPS = 8  # a repo renamed again and again still redirects in one hop to its current id


def _unzip(blob: bytes | None) -> Any:
    return None if blob is None else json.loads(zlib.decompress(blob))


def copy_store(src_db: Path, writer: StoreWriter) -> None:
    """Append every row of another store (its ordinals renumbered after what is already there)."""
    w = writer.db
    w.commit()
    w.execute("ATTACH DATABASE ? AS src", (str(src_db),))
    base = w.execute("SELECT coalesce(max(ord), 0) FROM models").fetchone()[0]
    sbase = w.execute("SELECT coalesce(max(ord), 0) FROM spaces").fetchone()[0]
    w.executescript(f"""
        INSERT INTO models SELECT ord + {base}, id, id_lower, author, pipeline_tag, gated, created_at,
            last_modified, downloads, likes, trending, record FROM src.models;
        INSERT INTO model_tags SELECT ord + {base}, tag FROM src.model_tags;
        INSERT INTO lineage SELECT * FROM src.lineage;
        INSERT OR IGNORE INTO repos SELECT * FROM src.repos;
        INSERT OR IGNORE INTO blobs SELECT * FROM src.blobs;
        INSERT INTO spaces SELECT ord + {sbase}, id, id_lower, author, created_at, last_modified, likes,
            trending, record FROM src.spaces;
        INSERT INTO space_models SELECT ord + {sbase}, model_id FROM src.space_models;
        INSERT INTO space_tags SELECT ord + {sbase}, tag FROM src.space_tags;
    """)
    if w.execute("SELECT 1 FROM src.sqlite_master WHERE name = 'renames'").fetchone():
        w.execute("INSERT OR REPLACE INTO renames SELECT * FROM src.renames")
    w.commit()
    w.execute("DETACH DATABASE src")


def build_store(dirs: list[Path], out: Path) -> Path:
    """One store serving the union of several snapshot directories."""
    writer = StoreWriter(out)
    try:
        kinds = []
        for d in dirs:
            d = Path(d)
            if (d / STORE_FILE).exists():
                copy_store(d / STORE_FILE, writer)
                kinds.append(SnapshotStore(d / STORE_FILE).meta("kind", "synthetic"))
            elif (d / "models.jsonl").exists():
                import_plain_snapshot(d, writer)
                kinds.append("real")
            else:
                raise FileNotFoundError(f"{d} is not a snapshot directory (no {STORE_FILE} and no models.jsonl)")
        writer.set_meta("kind", "+".join(sorted(set(kinds))))
        writer.set_meta("sources", [str(d) for d in dirs])
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def open_snapshots(dirs: list[Path], workdir: Path | None = None) -> SnapshotStore:
    """Open one snapshot dir in place when it already is a store, else build a merged store."""
    dirs = [Path(d) for d in dirs]
    if len(dirs) == 1 and (dirs[0] / STORE_FILE).exists():
        return SnapshotStore(dirs[0] / STORE_FILE)
    workdir = Path(workdir or tempfile.mkdtemp(prefix="hubmine-replay-"))
    workdir.mkdir(parents=True, exist_ok=True)
    return SnapshotStore(build_store(dirs, workdir / STORE_FILE))


def encode_cursor(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def decode_cursor(token: str) -> dict[str, Any]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid cursor {token!r}") from exc
    if not isinstance(cursor, dict):
        raise ValueError(f"invalid cursor {token!r}")
    return cursor


@dataclass
class ListQuery:
    """A listing request (models or spaces) in store terms."""

    search: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    gated: bool | None = None
    models: list[str] = field(default_factory=list)  # spaces only: spaces using these models
    sort: str | None = None
    ascending: bool = False
    limit: int = 1000
    cursor: str | None = None


class SnapshotStore:
    """Read side, safe to share between server threads (one connection per thread)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(self.path)
        self._local = threading.local()

    @property
    def db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            conn.execute("PRAGMA cache_size=-32768")
            self._local.conn = conn
        return conn

    def meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def counts(self) -> dict[str, int]:
        return {
            "models": self.db.execute("SELECT count(*) FROM models").fetchone()[0],
            "spaces": self.db.execute("SELECT count(*) FROM spaces").fetchone()[0],
        }

    # -- listing ---------------------------------------------------------------------------
    def _page(
        self, table: str, sorts: dict[str, str], q: ListQuery, where: list[str], args: list[Any]
    ) -> tuple[list[Record], str | None]:
        col = sorts.get(q.sort) if q.sort else None
        if q.sort and col is None:
            raise ValueError(f"unsupported sort {q.sort!r}")
        cur = decode_cursor(q.cursor) if q.cursor else None
        if col is None:
            order = "ord ASC"
            if cur:
                where.append("ord > ?")
                args.append(cur["o"])
        else:
            direction = "ASC" if q.ascending else "DESC"
            op = ">" if q.ascending else "<"
            order = f"{col} {direction}, ord {direction}"
            if cur:
                where.append(f"({col} {op} ? OR ({col} = ? AND ord {op} ?))")
                args += [cur["v"], cur["v"], cur["o"]]
        sql = f"SELECT ord, record{', ' + col if col else ''} FROM {table}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {order} LIMIT ?"
        rows = self.db.execute(sql, [*args, q.limit + 1]).fetchall()
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        nxt = None
        if more and rows:
            last = rows[-1]
            nxt = encode_cursor({"o": last[0]} if col is None else {"o": last[0], "v": last[2]})
        return [json.loads(r[1]) for r in rows], nxt

    @staticmethod
    def _filters(q: ListQuery, tag_table: str) -> tuple[list[str], list[Any]]:
        """SQL conditions (and their arguments) of the filters models and spaces share."""
        where: list[str] = []
        args: list[Any] = []
        if q.author:
            where.append("author = ?")
            args.append(q.author)
        if q.search:
            where.append("instr(id_lower, ?) > 0")
            args.append(q.search.lower())
        for tag in q.tags:
            where.append(f"ord IN (SELECT ord FROM {tag_table} WHERE tag = ?)")
            args.append(tag)
        return where, args

    def list_models(self, q: ListQuery) -> tuple[list[Record], str | None]:
        where, args = self._filters(q, "model_tags")
        if q.pipeline_tag:
            where.append("pipeline_tag = ?")
            args.append(q.pipeline_tag)
        if q.gated is not None:
            where.append("gated = 'false'" if not q.gated else "gated != 'false'")
        return self._page("models", MODEL_SORTS, q, where, args)

    def list_spaces(self, q: ListQuery) -> tuple[list[Record], str | None]:
        where, args = self._filters(q, "space_tags")
        for mid in q.models:
            where.append("ord IN (SELECT ord FROM space_models WHERE model_id = ?)")
            args.append(mid)
        return self._page("spaces", SPACE_SORTS, q, where, args)

    def iter_models(self) -> Iterator[Record]:
        for (rec,) in self.db.execute("SELECT record FROM models ORDER BY ord"):
            yield json.loads(rec)

    def model_ids(self) -> Iterable[str]:
        return (r[0] for r in self.db.execute("SELECT id FROM models ORDER BY ord"))

    # -- single repos ----------------------------------------------------------------------
    def model(self, repo_id: str) -> Record | None:
        row = self.db.execute("SELECT record FROM models WHERE id = ?", (repo_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def has_model(self, repo_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM models WHERE id = ?", (repo_id,)).fetchone() is not None

    def redirect_target(self, repo_id: str) -> str | None:
        """The current id the hub redirects a stale id to: an old id of a renamed repo (renames followed), or
        the same id in another letter case. None when the id names nothing (or already is current)."""
        rid = repo_id
        if self._has_renames():
            for _ in range(MAX_RENAME_HOPS):
                row = (
                    self.db.execute("SELECT new FROM renames WHERE old = ?", (rid,)).fetchone()
                    or self.db.execute("SELECT new FROM renames WHERE lower(old) = lower(?)", (rid,)).fetchone()
                )
                if row is None or row[0] == rid:
                    break
                rid = row[0]
        row = self.db.execute("SELECT id FROM models WHERE id_lower = ?", (rid.lower(),)).fetchone()
        return row[0] if row and row[0] != repo_id else None

    def _has_renames(self) -> bool:
        has: bool | None = getattr(self._local, "has_renames", None)
        if has is None:  # stores written before renames existed have no such table
            has = self._local.has_renames = (
                self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'renames'").fetchone() is not None
            )
        return has

    def renames(self) -> list[tuple[str, str]]:
        if not self._has_renames():
            return []
        return [(old, new) for old, new in self.db.execute("SELECT old, new FROM renames ORDER BY old")]

    def space(self, space_id: str) -> Record | None:
        row = self.db.execute("SELECT record FROM spaces WHERE id = ?", (space_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def children_count(self, repo_id: str) -> int:
        return int(self.db.execute("SELECT count(*) FROM lineage WHERE parent = ?", (repo_id,)).fetchone()[0])

    def repo(self, repo_id: str) -> Repo | None:
        record = self.model(repo_id)
        if record is None:
            return None
        row = self.db.execute("SELECT history, head_tree, refs FROM repos WHERE id = ?", (repo_id,)).fetchone()
        if row is None:
            return Repo.of(record, None, None, {})
        return Repo.of(record, _unzip(row[0]), _unzip(row[1]), json.loads(row[2]) if row[2] else {})

    def blob(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT zipped, data FROM blobs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return zlib.decompress(row[1]) if row[0] else bytes(row[1])

    def content(self, path: str, entry: Entry, origin: int) -> bytes | None:
        """Bytes of a tree entry written by commit `origin`: stored blob, LFS pointer, or the synthetic filler its
        oid was made from (None when the snapshot holds no content with that oid)."""
        oid, size, lfs = entry
        if lfs:
            return lfs_pointer(lfs, size)
        data = self.blob(oid)
        if data is not None:
            return data
        data = filler_blob(path, origin, size)
        return data if git_blob_oid(data) == oid else None
