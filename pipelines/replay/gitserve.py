"""Git's smart HTTP protocol for replayed repos, served by `git http-backend`.

A repo's bare repository is built on its first git request from the snapshot's history: loose objects
(commits with their authors, dates and messages, trees, small files as blobs, LFS files as pointer files)
hashed by gitobj, the one place that also gives the REST API its ids, and each commit checked against the
id the API shows. Built repositories stay in a bounded cache (the least recently used are dropped).
Partial-clone filters are allowed, pushes are not.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import zlib
from collections import OrderedDict
from email.message import Message
from pathlib import Path

from pipelines.replay.gitobj import Tree, commit_body, tree_objects
from pipelines.replay.repo import Repo
from pipelines.replay.store import SnapshotStore

log = logging.getLogger("hubmine.replay")
GIT_SERVICES = ("info/refs", "git-upload-pack", "git-receive-pack")
REPO_CONFIG = """[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = true
[uploadpack]
\tallowFilter = true
\tallowAnySHA1InWant = true
[http]
\treceivepack = false
"""
REF_PREFIXES = (
    ("branches", "refs/heads/"),
    ("tags", "refs/tags/"),
    ("converts", "refs/convert/"),
    ("pullRequests", "refs/pr/"),
)


class GitError(Exception):
    """A repo that cannot be served over git (its snapshot lacks content, or its ids are not git ids)."""


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """A git environment that ignores the user's and the system's git configuration."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": tempfile.gettempdir(),
        "LC_ALL": "C",
    }
    env.update(extra or {})
    return env


def split_git_path(segments: list[str]) -> tuple[str, str] | None:
    """(repo id, service path) of a smart-HTTP request path, or None when it is not one."""
    for service in GIT_SERVICES:
        parts = service.split("/")
        if len(segments) > len(parts) and segments[-len(parts) :] == parts:
            repo_id = "/".join(segments[: -len(parts)]).removesuffix(".git")
            return (repo_id, service) if repo_id else None
    return None


class ObjectWriter:
    """Loose objects of a bare repository: zlib("<type> <size>\\0<body>") under objects/xx/yyyy..."""

    def __init__(self, repo_dir: Path):
        self.objects = repo_dir / "objects"
        self.written: set[str] = set()

    def write(self, kind: str, body: bytes, oid: str | None = None) -> str:
        raw = b"%s %d\0" % (kind.encode(), len(body)) + body
        oid = oid or hashlib.sha1(raw).hexdigest()
        if oid not in self.written:
            folder = self.objects / oid[:2]
            folder.mkdir(exist_ok=True)
            (folder / oid[2:]).write_bytes(zlib.compress(raw, 1))
            self.written.add(oid)
        return oid


def write_history(store: SnapshotStore, repo: Repo, repo_dir: Path) -> dict[str, str]:
    """Blobs, trees and commits of a repo's history; returns the refs {name: commit id} to publish."""
    objects = ObjectWriter(repo_dir)
    files: Tree = {}
    parent = None
    for i, commit in enumerate(repo.history):
        for path, entry in commit.get("changes", {}).items():
            if entry is None:
                files.pop(path, None)
                continue
            files[path] = entry
            if entry[0] not in objects.written:
                data = store.content(path, entry, i)
                if data is None:
                    raise GitError(f"{repo.record['id']}: the snapshot holds no content for {path} ({entry[0]})")
                objects.write("blob", data, entry[0])
        trees = tree_objects(files)
        for oid, body in trees.values():
            objects.write("tree", body, oid)
        parent = objects.write("commit", commit_body(trees[""][0], parent, commit))
        if parent != commit["id"]:
            raise GitError(
                f"{repo.record['id']}: commit {commit['id']} of the snapshot is not the id git computes "
                f"for it ({parent}): a snapshot from an older generator? generate it again"
            )
    ids = {c["id"] for c in repo.history}
    refs = {"refs/heads/main": repo.head}
    for key, prefix in REF_PREFIXES:
        for ref in repo.refs.get(key) or []:
            if ref.get("commit") in ids:
                refs.setdefault(f"{prefix}{ref['name']}", ref["commit"])
    return refs


class GitRepos:
    """Bare repositories of a store's repos, built on first use into a bounded cache directory."""

    def __init__(self, store: SnapshotStore, root: Path | None = None, max_repos: int = 256):
        self.store = store
        self.own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="hubmine-git-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_repos = max(1, max_repos)
        self._lru: OrderedDict[str, int] = OrderedDict()  # dir name -> requests in flight
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}

    @staticmethod
    def dirname(repo_id: str) -> str:
        return hashlib.sha1(repo_id.encode()).hexdigest()[:20] + ".git"

    def acquire(self, repo_id: str) -> str | None:
        """The repo's directory name, built if needed and pinned until release(); None for unknown repos."""
        name = self.dirname(repo_id)
        with self._lock:
            if name in self._lru:
                self._lru[name] += 1
                self._lru.move_to_end(name)
                return name
            build_lock = self._building.setdefault(name, threading.Lock())
        with build_lock:
            with self._lock:
                if name in self._lru:
                    self._lru[name] += 1
                    self._lru.move_to_end(name)
                    return name
            repo = self.store.repo(repo_id)
            if repo is None:
                return None
            self._build(repo, name)
            with self._lock:
                self._lru[name] = 1
                self._evict()
        return name

    def release(self, name: str) -> None:
        with self._lock:
            if name in self._lru:
                self._lru[name] -= 1
            self._evict()

    def _evict(self) -> None:
        idle = [n for n, inflight in self._lru.items() if inflight <= 0]
        while len(self._lru) > self.max_repos and idle:
            victim = idle.pop(0)
            del self._lru[victim]
            shutil.rmtree(self.root / victim, ignore_errors=True)

    def _build(self, repo: Repo, name: str) -> None:
        """Write the bare repository (what `git init --bare` makes, the objects, packed refs) and publish it."""
        tmp = Path(tempfile.mkdtemp(prefix=name + ".", suffix=".tmp", dir=self.root))
        try:
            for sub in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
                (tmp / sub).mkdir(parents=True)
            (tmp / "HEAD").write_text("ref: refs/heads/main\n")
            (tmp / "config").write_text(REPO_CONFIG)
            refs = write_history(self.store, repo, tmp)
            (tmp / "packed-refs").write_text(
                "# pack-refs with: peeled fully-peeled sorted \n"
                + "".join(f"{oid} {ref}\n" for ref, oid in sorted(refs.items()))
            )
            os.replace(tmp, self.root / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def serve(
        self, name: str, service: str, method: str, query: str, headers: Message, body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Run git http-backend (CGI) for one request; returns (status, headers, body)."""
        env = git_env(
            {
                "GIT_PROJECT_ROOT": str(self.root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "PATH_INFO": f"/{name}/{service}",
                "REQUEST_METHOD": method,
                "QUERY_STRING": query,
                "REMOTE_ADDR": "127.0.0.1",
                "CONTENT_TYPE": headers.get("Content-Type") or "",
                "CONTENT_LENGTH": str(len(body)),
                "GIT_PROTOCOL": headers.get("Git-Protocol") or "",
                "HTTP_CONTENT_ENCODING": headers.get("Content-Encoding") or "",
            }
        )
        proc = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, sep, payload = proc.stdout.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = proc.stdout.partition(b"\n\n")
        status, out = 200, {}
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                out[key.strip()] = value.strip()
        if proc.returncode != 0 and not sep:
            return 500, {"Content-Type": "text/plain"}, b"git http-backend failed: " + proc.stderr[-300:]
        return status, out, payload

    def close(self) -> None:
        if self.own_root:
            shutil.rmtree(self.root, ignore_errors=True)
