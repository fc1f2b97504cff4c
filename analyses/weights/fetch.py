"""Fetch the safetensors of a hub repo (never pickle files) into the local cache with hf_hub_download."""

from __future__ import annotations

import fnmatch
from pathlib import Path

SAFE_PATTERNS = ("*.safetensors", "*.safetensors.index.json")


def safetensors_files(files: list[str]) -> list[str]:
    """The repo files a weight check may download: safetensors shards and their index, nothing else."""
    return sorted(f for f in files if any(fnmatch.fnmatch(f.rsplit("/", 1)[-1], p) for p in SAFE_PATTERNS)
                  and "/" not in f)


def fetch_checkpoint(repo_id: str, endpoint: str, cache_dir: Path, revision: str | None = None,
                     files: list[str] | None = None, token: str | bool | None = None) -> Path:
    """Download a repo's top-level safetensors into cache_dir and return the directory holding them."""
    from huggingface_hub import HfApi, hf_hub_download

    if files is None:
        files = HfApi(endpoint=endpoint, token=token).list_repo_files(repo_id, revision=revision)
    wanted = safetensors_files(files)
    if not any(f.endswith(".safetensors") for f in wanted):
        raise FileNotFoundError(f"{repo_id} has no .safetensors weights (other formats are never loaded)")
    folder = None
    for f in wanted:
        path = Path(hf_hub_download(repo_id, f, revision=revision, endpoint=endpoint, cache_dir=str(cache_dir),
                                    token=token))
        folder = path.parent
    return folder
