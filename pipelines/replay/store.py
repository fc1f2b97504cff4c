"""The replay hub's snapshot store: one SQLite file per snapshot, read with bounded memory.

A snapshot directory holds either `hub.sqlite` (written by `hubmine hub synth`) or the plain
layout of the real sample (`models.jsonl`, `cards/<author>__<name>.md`, optional `spaces.jsonl` and
`renames.jsonl`: `{"old": ..., "new": ...}` per line, an old repo id the hub redirects to its new one).
Plain layouts are imported into a store on first use; records are kept byte-for-byte as JSON so the
hub serves them unaltered.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.replay.gitobj import (
    EMPTY_BLOB,
    filler_blob,
    fold_tree,
    git_blob_oid,
    lfs_pointer,
    snapshot_commit,
)

STORE_FILE = "hub.sqlite"

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

INDEXES = """
CREATE INDEX IF NOT EXISTS model_tags_tag ON model_tags(tag, ord);
CREATE INDEX IF NOT EXISTS models_author ON models(author, ord);
CREATE INDEX IF NOT EXISTS models_id_lower ON models(id_lower);
CREATE INDEX IF NOT EXISTS models_created ON models(created_at, ord);
CREATE INDEX IF NOT EXISTS models_modified ON models(last_modified, ord);
CREATE INDEX IF NOT EXISTS models_downloads ON models(downloads, ord);
CREATE INDEX IF NOT EXISTS models_likes ON models(likes, ord);
CREATE INDEX IF NOT EXISTS models_trending ON models(trending, ord);
CREATE INDEX IF NOT EXISTS lineage_parent ON lineage(parent);
CREATE INDEX IF NOT EXISTS space_models_model ON space_models(model_id, ord);
CREATE INDEX IF NOT EXISTS space_tags_tag ON space_tags(tag, ord);
CREATE INDEX IF NOT EXISTS spaces_author ON spaces(author, ord);
CREATE INDEX IF NOT EXISTS spaces_created ON spaces(created_at, ord);
CREATE INDEX IF NOT EXISTS spaces_modified ON spaces(last_modified, ord);
CREATE INDEX IF NOT EXISTS spaces_likes ON spaces(likes, ord);
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
MAX_RENAME_HOPS = 8  # a repo renamed again and again still redirects in one hop to its current id
RENAMES_FILE = "renames.jsonl"


def _zip(obj) -> bytes:
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 1)


def _unzip(blob: bytes | None):
    return None if blob is None else json.loads(zlib.decompress(blob))


def declared_parents(record: dict) -> list[str]:
    """Parents named in the card's base_model (string or list), as the Hub derives its model tree."""
    card = record.get("cardData") or {}
    base = card.get("base_model") if isinstance(card, dict) else None
    if isinstance(base, str):
        return [base]
    if isinstance(base, list):
        return [b for b in base if isinstance(b, str)]
    return []


class StoreWriter:
    """Streams models, repos, blobs and spaces into a new store; indexes are built on close.

    The file is written under a temporary name and renamed into place on close, so a killed
    generator never leaves a half-written store behind.
    """

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
        record: dict,
        *,
        history: list[dict] | None = None,
        head_tree: dict | None = None,
        refs: dict | None = None,
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
                    None if history is None else _zip(history),
                    None if head_tree is None else _zip(head_tree),
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
        return row[0]

    def replace_model(self, old_id: str, record: dict, **repo) -> None:
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

    def add_space(self, record: dict) -> None:
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

    def set_meta(self, key: str, value) -> None:
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


def card_name(model_id: str) -> str:
    """File name of a model's card in a plain snapshot's cards/ directory."""
    return model_id.replace("/", "__") + ".md"


def plain_head_tree(record: dict, card: bytes | None) -> dict[str, list]:
    """The files of a plain-layout repo: its listed siblings, served empty (their content is not in the
    snapshot), and README.md from cards/."""
    tree = {s["rfilename"]: [EMPTY_BLOB, 0, None] for s in record.get("siblings") or [] if "rfilename" in s}
    if card is not None:
        tree["README.md"] = [git_blob_oid(card), len(card), None]
    return tree


def import_plain_snapshot(src: Path, writer: StoreWriter) -> int:
    """Import the plain layout (models.jsonl + cards/) into a store. Returns models imported.

    Repos of the plain layout carry no commit history; their head tree is the record's siblings,
    with README.md taken from cards/ (sizes of files whose content is not in the snapshot are 0).
    """
    src = Path(src)
    cards_dir = src / "cards"
    n = 0
    space_models: dict[str, list[str]] = {}
    with open(src / "models.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            mid = record["id"]
            card = cards_dir / card_name(mid)
            body = card.read_bytes() if card.exists() else None
            if body is not None:
                writer.add_blob(body, zipped=True)
            writer.add_model(record, head_tree=plain_head_tree(record, body))
            for sid in record.get("spaces") or []:
                space_models.setdefault(sid, []).append(mid)
            n += 1
    spaces_file = src / "spaces.jsonl"
    if spaces_file.exists():
        with open(spaces_file, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    writer.add_space(json.loads(line))
    else:
        # Spaces known only from the models that name them: serve just what the records say.
        for sid in sorted(space_models):
            writer.add_space({"id": sid, "author": sid.split("/")[0], "models": sorted(space_models[sid])})
        writer.set_meta("spaces_derived_from_models", True)
    import_renames(src / RENAMES_FILE, writer)
    manifest = src / "SNAPSHOT.json"
    writer.set_meta("kind", json.loads(manifest.read_text()).get("kind", "real") if manifest.exists() else "real")
    return n


def import_renames(path: Path, writer: StoreWriter) -> int:
    """`renames.jsonl` of a plain snapshot: one `{"old": ..., "new": ...}` per line. Returns renames imported."""
    if not path.exists():
        return 0
    n = 0
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
            n += 1
    return n


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


def encode_cursor(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def decode_cursor(token: str):
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"invalid cursor {token!r}") from exc


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
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            conn.execute("PRAGMA cache_size=-32768")
            self._local.conn = conn
        return conn

    def meta(self, key: str, default=None):
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def counts(self) -> dict:
        return {
            "models": self.db.execute("SELECT count(*) FROM models").fetchone()[0],
            "spaces": self.db.execute("SELECT count(*) FROM spaces").fetchone()[0],
        }

    # -- listing ---------------------------------------------------------------------------
    def _page(
        self, table: str, sorts: dict, q: ListQuery, where: list[str], args: list
    ) -> tuple[list[dict], str | None]:
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

    def list_models(self, q: ListQuery) -> tuple[list[dict], str | None]:
        where, args = [], []
        if q.author:
            where.append("author = ?")
            args.append(q.author)
        if q.search:
            where.append("instr(id_lower, ?) > 0")
            args.append(q.search.lower())
        if q.pipeline_tag:
            where.append("pipeline_tag = ?")
            args.append(q.pipeline_tag)
        if q.gated is not None:
            where.append("gated = 'false'" if not q.gated else "gated != 'false'")
        for tag in q.tags:
            where.append("ord IN (SELECT ord FROM model_tags WHERE tag = ?)")
            args.append(tag)
        return self._page("models", MODEL_SORTS, q, where, args)

    def list_spaces(self, q: ListQuery) -> tuple[list[dict], str | None]:
        where, args = [], []
        if q.author:
            where.append("author = ?")
            args.append(q.author)
        if q.search:
            where.append("instr(id_lower, ?) > 0")
            args.append(q.search.lower())
        for tag in q.tags:
            where.append("ord IN (SELECT ord FROM space_tags WHERE tag = ?)")
            args.append(tag)
        for mid in q.models:
            where.append("ord IN (SELECT ord FROM space_models WHERE model_id = ?)")
            args.append(mid)
        return self._page("spaces", SPACE_SORTS, q, where, args)

    def iter_models(self) -> Iterator[dict]:
        for (rec,) in self.db.execute("SELECT record FROM models ORDER BY ord"):
            yield json.loads(rec)

    # -- single repos ----------------------------------------------------------------------
    def model(self, repo_id: str) -> dict | None:
        row = self.db.execute("SELECT record FROM models WHERE id = ?", (repo_id,)).fetchone()
        return json.loads(row[0]) if row else None

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
        has = getattr(self._local, "has_renames", None)
        if has is None:  # stores written before renames existed have no such table
            has = self._local.has_renames = (
                self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'renames'").fetchone() is not None
            )
        return has

    def renames(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT old, new FROM renames ORDER BY old").fetchall() if self._has_renames() else []

    def space(self, space_id: str) -> dict | None:
        row = self.db.execute("SELECT record FROM spaces WHERE id = ?", (space_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def children_count(self, repo_id: str) -> int:
        return self.db.execute("SELECT count(*) FROM lineage WHERE parent = ?", (repo_id,)).fetchone()[0]

    def repo(self, repo_id: str) -> Repo | None:
        record = self.model(repo_id)
        if record is None:
            return None
        row = self.db.execute("SELECT history, head_tree, refs FROM repos WHERE id = ?", (repo_id,)).fetchone()
        history, head_tree, refs = (
            (_unzip(row[0]), _unzip(row[1]), json.loads(row[2]) if row[2] else None) if row else (None, None, None)
        )
        return Repo(record, history, head_tree, refs or {})

    def blob(self, key: str) -> bytes | None:
        row = self.db.execute("SELECT zipped, data FROM blobs WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        return zlib.decompress(row[1]) if row[0] else bytes(row[1])

    def model_ids(self) -> Iterable[str]:
        return (r[0] for r in self.db.execute("SELECT id FROM models ORDER BY ord"))


@dataclass
class Repo:
    """One model repo as the git endpoints see it.

    A repo whose snapshot has no history (the real sample) is shown as one synthesized commit of its listed
    files, the same through the REST API and git; its listing keeps the record's real sha, which resolves
    to that commit.
    """

    record: dict
    history: list[dict] | None  # oldest first
    head_tree: dict | None
    refs: dict

    def __post_init__(self):
        self.synthesized = not self.history
        if self.synthesized:
            self.history = [snapshot_commit(self.record, self.head_tree or {})]

    @property
    def head(self) -> str:
        return self.history[-1]["id"]

    @property
    def listed_sha(self) -> str:
        return self.record.get("sha") or self.head

    def resolve(self, rev: str) -> int | None:
        """Index into history of a branch, tag or commit sha (the listed sha is the head)."""
        rev = rev.removeprefix("refs/heads/")
        tags = {t["name"]: t["commit"] for t in self.refs.get("tags", [])}
        branches = {b["name"]: b["commit"] for b in self.refs.get("branches", [])}
        if rev.startswith("refs/tags/"):
            rev = tags.get(rev.removeprefix("refs/tags/"), "")
        elif rev in tags:
            rev = tags[rev]
        elif rev in branches:
            rev = branches[rev]
        elif rev in ("main", self.listed_sha):
            rev = self.head
        for i in range(len(self.history) - 1, -1, -1):
            cid = self.history[i]["id"]
            if cid == rev or (len(rev) >= 7 and cid.startswith(rev)):
                return i
        return None

    def commit_id(self, idx: int) -> str:
        return self.history[idx]["id"]

    def tree(self, idx: int) -> dict[str, list]:
        return fold_tree(self.history, idx)

    def origin(self, idx: int, path: str) -> int:
        """Index of the commit (at or before `idx`) that wrote the current version of `path`."""
        for i in range(idx, -1, -1):
            if path in self.history[i].get("changes", {}):
                return i
        return 0


def git_blob_content(store: SnapshotStore, path: str, entry: list, origin: int) -> bytes | None:
    """Bytes of a tree entry: stored blob, LFS pointer, or the synthetic filler its oid was made from."""
    oid, size, lfs = entry
    if lfs:
        return lfs_pointer(lfs, size)
    data = store.blob(oid)
    if data is not None:
        return data
    data = filler_blob(path, origin, size)
    return data if git_blob_oid(data) == oid else None
