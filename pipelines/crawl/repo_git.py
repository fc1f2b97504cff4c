"""A repo's history through git: one blobless partial clone gives every commit, tree, ref and small file.

The clone is bare and mirrors every ref (branches, tags, refs/convert/*, refs/pr/*); blobs over 1 MiB are
left on the hub, so LFS files arrive as their pointer files (sha256 and size) and a repo costs one exchange
whatever its history. In an increment the clone stops at the date of the newest commit already in the
warehouse (a shallow clone); when that commit is no longer an ancestor of the head (a force push) the
repo is cloned again in full. The clone is deleted when the repo is done.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pipelines.crawl.gitremote import GitFailed, GitRemote
from pipelines.crawl.repo_data import Base, Commit, FileChange, NotInRepo, RepoData, ref_kind

LOG_FORMAT = "--format=%x01%H%x02%an%x02%at%x02%B%x03"
CHANGES = {"A": "added", "M": "modified", "T": "modified", "D": "deleted"}
COAUTHOR = re.compile(r"^Co-authored-by: *(.+?) *<[^>]*> *$", re.MULTILINE)
POINTER_MAX = 1024


def parse_lfs_pointer(data: bytes) -> tuple[str, int] | None:
    """(sha256, size) of a git-lfs pointer file, or None when the blob is not one."""
    if len(data) > POINTER_MAX or not data.startswith(b"version https://git-lfs.github.com/spec/"):
        return None
    fields = dict(line.split(" ", 1) for line in data.decode("ascii", "replace").splitlines() if " " in line)
    oid, size = fields.get("oid", ""), fields.get("size", "")
    if not oid.startswith("sha256:") or not size.isdigit():
        return None
    return oid.removeprefix("sha256:"), int(size)


def split_message(raw: str, author: str) -> tuple[str, str, list[str]]:
    """(title, message, authors) as the Hub's commits API shows a git commit: the body after the first line,
    the author first and then every `Co-authored-by` trailer."""
    title, _, message = raw.removesuffix("\n").partition("\n")
    authors = []
    for user in [author, *COAUTHOR.findall(message)]:
        if user not in authors:
            authors.append(user)
    return title, message, authors


class Clone:
    """A bare partial clone of one repo in a temporary directory, read with git's plumbing."""

    def __init__(self, remote: GitRemote, repo_id: str, work_root: Path):
        self.remote = remote
        self.repo_id = repo_id
        self.dir = Path(tempfile.mkdtemp(prefix="clone-", dir=work_root))
        self.sizes: dict[str, int] = {}
        self.blobs: dict[str, bytes] = {}

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        return self.remote.run(list(args), cwd=self.dir / "repo", stdin=stdin)

    def succeeds(self, *args: str) -> bool:
        return self.remote.succeeds(list(args), self.dir / "repo")

    def clone(self, since: int | None) -> None:
        self.remote.clone(self.repo_id, self.dir / "repo", since)

    # -- reading ------------------------------------------------------------------------------------
    def refs(self) -> list[tuple[str, str, str, str]]:
        """Every ref of the mirror clone, peeled to its commit, from `packed-refs` (where clone writes them)."""
        out: list[list[str]] = []
        packed = self.dir / "repo" / "packed-refs"
        for line in packed.read_text().splitlines() if packed.exists() else []:
            if line.startswith("^") and out:
                out[-1][1] = line[1:]  # an annotated tag: the commit it points to
            elif line and not line.startswith("#"):
                oid, ref = line.split(" ", 1)
                out.append([ref, oid])
        rows = []
        for ref, oid in out:
            kind = ref_kind(ref)
            if kind is not None:
                rows.append((*kind, ref, oid))
        return rows

    def log(self, head: str, base: str | None) -> list[tuple[str, str, str, list[str], datetime, list]]:
        """Commits reachable from head (after base), oldest first, with their raw changes vs the first parent."""
        rev = [head, f"^{base}"] if base else [head]
        out = self.git(
            "log", LOG_FORMAT, "--raw", "--no-abbrev", "--no-renames", "-z", "--diff-merges=first-parent", *rev, "--"
        )
        commits = []
        for chunk in out.split(b"\x01")[1:]:
            header, _, raw = chunk.partition(b"\x03")
            cid, author, ts, body = header.decode("utf-8", "replace").split("\x02", 3)
            title, message, authors = split_message(body, author)
            date = datetime.fromtimestamp(int(ts), UTC).replace(tzinfo=None)
            commits.append((cid, title, message, authors, date, _raw_changes(raw)))
        return list(reversed(commits))

    def tree(self, head: str) -> dict[str, str]:
        out = self.git("ls-tree", "-r", "-z", "--full-tree", head)
        tree = {}
        for item in out.split(b"\0"):
            if item:
                meta, _, path = item.partition(b"\t")
                _mode, kind, oid = meta.decode().split(" ")
                if kind == "blob":
                    tree[path.decode("utf-8", "surrogateescape")] = oid
        return tree

    def load_blobs(self, oids: set[str]) -> None:
        """Sizes and contents of the blobs the clone holds; the needed ones the filter left out are fetched."""
        self._scan()
        missing = sorted(o for o in oids if o not in self.sizes)
        if missing:
            self.remote.fetch_objects(self.dir / "repo", missing)
            self._scan()

    def _scan(self) -> None:
        out = self.git("cat-file", "--batch-all-objects", "--batch")
        pos = 0
        while pos < len(out):
            eol = out.index(b"\n", pos)
            oid, kind, size = out[pos:eol].decode().split(" ")
            start = eol + 1
            pos = start + int(size) + 1
            if kind == "blob":
                self.sizes[oid] = int(size)
                self.blobs[oid] = out[start : pos - 1]

    def cat(self, oid: str) -> bytes:
        """One blob's content (fetched from the hub if the filter left it out)."""
        if oid not in self.blobs:
            self.blobs[oid] = self.git("cat-file", "blob", oid)
        return self.blobs[oid]

    def entry(self, oid: str) -> tuple:
        small = self.sizes.get(oid, POINTER_MAX + 1) <= POINTER_MAX
        pointer = parse_lfs_pointer(self.blobs.get(oid, b"")) if small else None
        if pointer is not None:
            return (oid, pointer[1], pointer[0])
        return (oid, self.sizes.get(oid), None)


def _raw_changes(raw: bytes) -> list[tuple[str, str, str, str]]:
    """(status, old oid, new oid, path) of `git log --raw -z` output."""
    toks = raw.split(b"\0")
    out, i = [], 0
    while i < len(toks):
        tok = toks[i].strip(b"\n")
        if tok.startswith(b":") and i + 1 < len(toks):
            _om, _nm, old, new, status = tok[1:].decode().split(" ")
            out.append((status[0], old, new, toks[i + 1].decode("utf-8", "surrogateescape")))
            i += 2
        else:
            i += 1
    return out


def git_repo_data(remote: GitRemote, mid: str, sha: str | None, base: Base | None, work_root: Path):
    """(RepoData, read) of one repo from a partial clone; the caller closes the returned Clone."""
    clone = Clone(remote, mid, work_root)
    try:
        since = int(base.date.replace(tzinfo=UTC).timestamp()) if base and base.date else None
        try:
            clone.clone(since)
        except GitFailed:
            if since is None:
                raise
            since = base = None  # the hub refused the shallow request: read the whole history
            clone.clone(None)
        head = _head(clone, sha)
        if base is not None and not clone.succeeds("merge-base", "--is-ancestor", base.commit_id, head):
            base = None  # the known head is gone from the history (force push): read it all again
            clone.clone(None)
            head = _head(clone, sha)
        data = _read(clone, head, base)
    except BaseException:
        clone.close()
        raise
    return data, clone


def _head(clone: Clone, sha: str | None) -> str:
    """The listed sha when the clone has it (main normally points there), else main."""
    main = next((target for kind, name, _ref, target in clone.refs() if (kind, name) == ("branch", "main")), None)
    if sha and (sha == main or clone.succeeds("cat-file", "-e", f"{sha}^{{commit}}")):
        return sha
    return "refs/heads/main"


def _read(clone: Clone, head: str, base: Base | None) -> RepoData:
    log = clone.log(head, base.commit_id if base else None)
    names = clone.tree(head)
    needed = set(names.values())
    for *_, changes in log:
        for _status, old, new, _path in changes:
            needed.update(o for o in (old, new) if set(o) != {"0"})
    clone.load_blobs(needed)
    commits = []
    for cid, title, message, authors, date, changes in log:
        files = [
            FileChange(path, CHANGES.get(status, "modified"), clone.entry(old if status == "D" else new))
            for status, old, new, path in sorted(changes, key=lambda c: c[3])
        ]
        commits.append(Commit(cid, title, message, authors, date, files))
    head_tree = {path: clone.entry(oid) for path, oid in names.items()}
    return RepoData(commits, head_tree, clone.refs(), base)


def git_reader(clone: Clone, head_tree: dict[str, tuple]):
    def read(path: str) -> bytes:
        entry = head_tree.get(path)
        if entry is None:
            raise NotInRepo(path)
        return clone.cat(entry[0])

    return read
