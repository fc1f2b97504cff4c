"""Tiny safetensors checkpoints whose true lineage is known.

finetune = base + small dense noise; adapter = base + low-rank delta on attention projections;
quantized = int8 round trip (values on a per-tensor grid); merge = weighted average of parents;
unrelated = fresh initialisation; reupload = the parent's exact bytes.
"""

from __future__ import annotations

import numpy as np
from safetensors.numpy import save

HIDDEN = 48
VOCAB = 96
LAYERS = 2
ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")


def tensor_shapes() -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {"model.embed_tokens.weight": (VOCAB, HIDDEN)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        for a in ATTN:
            shapes[p + f"self_attn.{a}.weight"] = (HIDDEN, HIDDEN)
        shapes[p + "mlp.up_proj.weight"] = (2 * HIDDEN, HIDDEN)
        shapes[p + "mlp.down_proj.weight"] = (HIDDEN, 2 * HIDDEN)
        shapes[p + "input_layernorm.weight"] = (HIDDEN,)
    shapes["lm_head.weight"] = (VOCAB, HIDDEN)
    return shapes


def init(rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {}
    for name, shape in tensor_shapes().items():
        if len(shape) == 1:
            out[name] = (1.0 + 0.02 * rng.standard_normal(shape)).astype(np.float32)
        else:
            out[name] = (0.02 * rng.standard_normal(shape)).astype(np.float32)
    return out


def derive(relation: str, parents: list[dict[str, np.ndarray]], rng: np.random.Generator) -> dict[str, np.ndarray]:
    base = parents[0]
    if relation == "finetune":
        scale = rng.uniform(0.03, 0.12)  # relative size of the update
        return {k: (v + scale * v.std() * rng.standard_normal(v.shape)).astype(np.float32) for k, v in base.items()}
    if relation == "adapter":
        out = {k: v.copy() for k, v in base.items()}
        rank = int(rng.integers(2, 5))
        for k, v in base.items():
            if v.ndim == 2 and (".q_proj." in k or ".v_proj." in k):
                b = rng.standard_normal((v.shape[0], rank)).astype(np.float32)
                a = rng.standard_normal((rank, v.shape[1])).astype(np.float32)
                delta = b @ a
                delta *= rng.uniform(0.05, 0.2) * np.linalg.norm(v) / np.linalg.norm(delta)
                out[k] = (v + delta).astype(np.float32)
        return out
    if relation == "quantized":
        out = {}
        for k, v in base.items():
            s = np.abs(v).max() / 127.0
            out[k] = (np.round(v / s).clip(-127, 127) * s).astype(np.float32)
        return out
    if relation == "merge":
        w = rng.uniform(0.3, 0.7)
        a, b = parents[0], parents[1]
        return {k: (w * a[k] + (1 - w) * b[k]).astype(np.float32) for k in a}
    if relation == "reupload":
        return {k: v.copy() for k, v in base.items()}
    if relation == "unrelated":
        return init(rng)
    raise ValueError(f"unknown relation {relation}")


def to_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    return save(tensors, metadata={"format": "pt"})


def config_json(model_id: str, parent: str | None) -> bytes:
    import json

    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
           "num_hidden_layers": LAYERS, "vocab_size": VOCAB, "torch_dtype": "float32"}
    if parent:
        cfg["_name_or_path"] = parent
    return json.dumps(cfg, indent=2).encode()
