"""Git-shaped identifiers and repo trees, so replayed repos look like real Hub repos."""

from __future__ import annotations

import hashlib

LFS_POINTER_SIZE = 134  # bytes of a typical git-lfs pointer file; the Hub reports it as pointerSize


def git_blob_oid(data: bytes) -> str:
    """The git blob sha1 the Hub reports as `oid` and as the ETag of regular files."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def lfs_pointer_oid(sha256: str, size: int) -> str:
    """oid of the pointer file git stores for an LFS object."""
    pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n"
    return git_blob_oid(pointer.encode())


def fold_tree(commits: list[dict], upto: int) -> dict[str, list]:
    """Tree at commit index `upto` (oldest-first history): path -> [oid, size, lfs_sha256|None].

    Each commit carries `changes` {path: entry or None (deleted)}; the tree is their fold.
    """
    tree: dict[str, list] = {}
    for commit in commits[: upto + 1]:
        for path, entry in commit.get("changes", {}).items():
            if entry is None:
                tree.pop(path, None)
            else:
                tree[path] = entry
    return tree


def directory_oid(path: str, children: list[str]) -> str:
    """A stable pseudo tree-sha for directory entries (only used as an opaque id)."""
    return hashlib.sha1(("tree " + path + "\0" + "\0".join(sorted(children))).encode()).hexdigest()
