"""A synthetic model's API record as the hub lists it: card data, derived tags and weights metadata.

Tags follow the Hub's derivation (library, weight format, task, `license:`, `dataset:`, `base_model:` and
`base_model:<relation>:` for every declared parent, `region:us`); a card the hub cannot parse gives no card
data and none of the tags derived from it.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from pipelines.replay.gitobj import Commit, Tree
from pipelines.replay.synth import checkpoints, vocab
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, params_of, zdate


def card_meta(rng: random.Random, n: Node) -> dict[str, Any]:
    """The card's front matter."""
    meta: dict[str, Any] = {}
    if n.declared:
        written = n.written()
        meta["base_model"] = written[0] if len(written) == 1 and rng.random() < 0.55 else written
    if n.declared and n.declare_relation and n.relation:
        meta["base_model_relation"] = n.relation
    if n.license:
        meta["license"] = n.license
    if n.languages:
        meta["language"] = n.languages if len(n.languages) > 1 or rng.random() < 0.6 else n.languages[0]
    if n.library:
        meta["library_name"] = n.library
    if n.pipeline:
        meta["pipeline_tag"] = n.pipeline
    if n.datasets:
        meta["datasets"] = n.datasets
    tags = [vocab.SYNTHETIC_TAG]
    if n.autotrain:
        tags += ["autotrain"]
    if n.relation == "merge":
        tags += ["mergekit", "merge"]
    meta["tags"] = tags
    if n.co2 is not None and n.co2.get("yaml") is not None:
        meta["co2_eq_emissions"] = n.co2["yaml"]
    return meta


def tags(n: Node, meta: dict[str, Any] | None, weight_file: str) -> list[str]:
    out = []
    if n.library:
        out.append(n.library)
    fmt = "gguf" if weight_file.endswith(".gguf") else "safetensors" if weight_file.endswith(".safetensors") else None
    out.append(fmt or "pytorch")
    if n.pipeline:
        out.append(n.pipeline)
    if meta is not None:
        out += [t for t in meta.get("tags", []) if t not in out]
        out += list(n.languages)
        out += [f"dataset:{d}" for d in n.datasets]
        if n.license:
            out.append(f"license:{n.license}")
        rel = meta.get("base_model_relation") or (
            "merge" if len(n.declared) > 1 else n.relation if n.relation in ("adapter", "quantized") else "finetune"
        )
        for b in n.written():
            out += [f"base_model:{b}", f"base_model:{rel}:{b}"]
    else:
        out.append(vocab.SYNTHETIC_TAG)
    if n.quant_format and n.quant_format != "GGUF":
        out.append(n.quant_format.lower())
    out.append("region:us")
    return out


def record(
    rng: random.Random,
    ids: Identities,
    n: Node,
    commits: list[Commit],
    meta: dict[str, Any] | None,
    weight_file: str,
    files: dict[str, int],
) -> dict[str, Any]:
    """The model's API record (`meta` is the card data, None when unreadable)."""
    head_tree: Tree = {}
    for c in commits:
        head_tree.update({p: e for p, e in c["changes"].items() if e is not None})
    rec: dict[str, Any] = {
        "_id": ids.mongo_id(n.created),
        "id": n.id,
        "modelId": n.id,
        "author": n.author,
        "sha": commits[-1]["id"],
        "lastModified": commits[-1]["date"],
        "createdAt": zdate(n.created),
        "private": False,
        "gated": False,
        "disabled": False,
        "downloads": n.downloads,
        "likes": n.likes,
    }
    if n.relation is None and n.license in ("llama2", "llama3", "llama3.1", "gemma") and rng.random() < 0.6:
        rec["gated"] = rng.choice(["manual", "auto"])
    if n.library:
        rec["library_name"] = n.library
    if n.pipeline:
        rec["pipeline_tag"] = n.pipeline
    rec["tags"] = tags(n, meta, weight_file)
    if meta is not None:
        rec["cardData"] = meta
    rec["siblings"] = [{"rfilename": p} for p in sorted(head_tree)]
    rec["spaces"] = n.spaces
    rec.update(weights_metadata(n, weight_file))
    rec["usedStorage"] = sum(files.values())
    return rec


def weights_metadata(n: Node, weight_file: str) -> dict[str, Any]:
    """The record's safetensors / config / transformersInfo / gguf fields."""
    out: dict[str, Any] = {}
    params = params_of(n.size)
    if n.checkpoint is not None:
        params = sum(int(np.prod(s)) for s in checkpoints.tensor_shapes().values())
        out["safetensors"] = {"parameters": {"F32": params}, "total": params}
    elif weight_file.endswith(".safetensors") and n.relation != "adapter":
        out["safetensors"] = {"parameters": {"BF16": params}, "total": params}
    if n.library == "transformers":
        arch, mtype = vocab.DOMAINS[n.domain].arch
        out["config"] = {"architectures": [arch], "model_type": mtype}
        out["transformersInfo"] = {
            "auto_model": "AutoModelForCausalLM" if n.domain == "llm" else "AutoModel",
            "pipeline_tag": n.pipeline,
            "processor": "AutoTokenizer",
        }
    if weight_file.endswith(".gguf"):
        out["gguf"] = {"total": params, "architecture": "llama", "context_length": 4096}
    return out
