"""A repo's history through the Hub's REST API: the commits page(s), one tree listing per new commit, refs.

In an increment only the commits after the newest one already in the warehouse get a tree listing, and
the first of them is diffed against the stored tree of that commit. When that commit is no longer in the
history (a force push), the whole history is read again.
"""

from __future__ import annotations

from pathlib import Path

from huggingface_hub.errors import EntryNotFoundError

from pipelines.crawl.client import HubClient
from pipelines.crawl.repo_data import Base, Commit, NotInRepo, RepoData, diff_trees, ref_kind


def tree_map(entries) -> dict[str, tuple]:
    out = {}
    for e in entries:
        if getattr(e, "size", None) is None:  # folders
            continue
        lfs = getattr(e, "lfs", None)
        out[e.path] = (e.blob_id, e.size, lfs.sha256 if lfs else None)
    return out


def api_repo_data(
    client: HubClient, mid: str, rev: str, base: Base | None, max_tree_commits: int, stage: list[str]
) -> RepoData:
    """Commits, files changed per commit, head tree and refs; `stage` names the step under way (for errors)."""
    stage[0] = "commits"
    listed = list(reversed(client.commits(mid, rev)))  # oldest first
    ids = [c.commit_id for c in listed]
    prev: dict[str, tuple] = {}
    if base is not None and base.commit_id in ids:
        listed = listed[ids.index(base.commit_id) + 1 :]
        prev = dict(base.tree)
    else:
        base = None
    stage[0] = "refs"
    refs = client.refs(mid)
    stage[0] = "trees"
    window_start = max(0, len(listed) - max_tree_commits)
    if window_start > 0:
        prev = tree_map(client.tree(mid, listed[window_start - 1].commit_id))
    commits = []
    for i, c in enumerate(listed):
        files = None
        if i >= window_start:
            tree = tree_map(client.tree(mid, c.commit_id))
            files = diff_trees(prev, tree)
            prev = tree
        commits.append(
            Commit(
                c.commit_id,
                c.title,
                c.message,
                list(c.authors or []),
                c.created_at.replace(tzinfo=None) if c.created_at else None,
                files,
            )
        )
    ref_rows = []
    for items in (refs.branches, refs.tags, refs.converts, refs.pull_requests or []):
        for r in items:
            kind = ref_kind(r.ref)
            if kind is not None:
                ref_rows.append((*kind, r.ref, r.target_commit))
    return RepoData(commits, prev, ref_rows, base)


def api_reader(client: HubClient, mid: str, rev: str, cache_dir: Path):
    def read(path: str) -> bytes:
        try:
            return client.download(mid, path, rev, cache_dir)
        except EntryNotFoundError:  # listed but not served: permanent, retrying would not help
            raise NotInRepo(path) from None

    return read
