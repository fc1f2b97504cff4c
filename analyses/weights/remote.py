"""Hub checkpoints read by byte ranges through the counted, retrying HubClient (never a whole download).

`weights check` passes the crawled sha and the crawled file list, so what is checked is what was crawled
and no listing request is made; `weights diff` on repo ids asks the hub for the file list once. The client is
passed in (analyses do not import the crawl): its `read_range`, `retrying` and `probe` are the crawl's own.
"""

from __future__ import annotations

import fnmatch

from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError, RevisionNotFoundError

from analyses.weights.reader import SampledCheckpoint
from pipelines.errors import CheckpointNotFound

SAFE_PATTERNS = ("*.safetensors",)


def safetensors_files(files: list[str]) -> list[str]:
    """The repo files a weight check may read: top-level safetensors shards, nothing else (never pickle)."""
    return sorted(f for f in files if "/" not in f and any(fnmatch.fnmatch(f, p) for p in SAFE_PATTERNS))


def open_remote(client, repo_id: str, revision: str, files: list[str], budget: int | None = None) -> SampledCheckpoint:
    """A sampled checkpoint of repo_id@revision read by Range requests (budget None: the default sample)."""
    where = {"repo_id": repo_id, "revision": revision, "endpoint": client.endpoint}
    wanted = safetensors_files(files)
    if not wanted:
        raise CheckpointNotFound(
            f"{repo_id} has no top-level .safetensors weights (other formats are never read)", **where
        )

    def read(f: str, start: int, end: int) -> tuple[bytes, int]:
        return client.read_range(repo_id, f, revision, start, end)

    try:
        return SampledCheckpoint(f"{repo_id}@{revision[:12]}", wanted, read, budget)
    except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError) as e:
        raise CheckpointNotFound(f"{repo_id}@{revision}: {type(e).__name__} on {client.endpoint}", **where) from None


def repo_files(client, repo_id: str, revision: str | None = None) -> tuple[str, list[str]]:
    """(sha, files) of a repo at a revision (default: main), for ad-hoc diffs of repo ids."""
    where = {"repo_id": repo_id, "revision": revision, "endpoint": client.endpoint}
    try:
        info = client.retrying(lambda: client.api.model_info(repo_id, revision=revision), f"model_info {repo_id}")
    except RepositoryNotFoundError:
        raise CheckpointNotFound(
            f"no model repo {repo_id!r} on {client.endpoint}: check the id (org/name), "
            "or give a local path to a .safetensors file or folder",
            **where,
        ) from None
    except RevisionNotFoundError:
        raise CheckpointNotFound(f"{repo_id} has no revision {revision!r} on {client.endpoint}", **where) from None
    return info.sha, [s.rfilename for s in info.siblings or []]
