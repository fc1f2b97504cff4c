"""Tiny safetensors checkpoints whose true lineage is known (SYNTHETIC weights, not trained models).

finetune = base + small dense noise in every matrix; adapter = base + a low-rank delta (rank 2-4) merged into
the attention projections or into every matrix; quantized = a round trip through int8 per tensor or per row
(symmetric) or int4 per group of 32 (asymmetric); merge = a weighted average of all parents; unrelated = fresh
initialisation; reupload = the parent's exact bytes.
"""

from __future__ import annotations

import json

import numpy as np
from safetensors.numpy import save

HIDDEN = 64
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
    out: dict[str, np.ndarray] = {}
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
        everywhere = rng.random() < 0.5  # LoRA on every linear layer, or on q/v only
        for k, v in base.items():
            if v.ndim == 2 and "embed" not in k and (everywhere or ".q_proj." in k or ".v_proj." in k):
                b = rng.standard_normal((v.shape[0], rank)).astype(np.float32)
                a = rng.standard_normal((rank, v.shape[1])).astype(np.float32)
                delta = b @ a
                delta *= rng.uniform(0.05, 0.2) * np.linalg.norm(v) / np.linalg.norm(delta)
                out[k] = (v + delta).astype(np.float32)
        return out
    if relation == "quantized":
        scheme = QUANT_SCHEMES[int(rng.integers(len(QUANT_SCHEMES)))]
        return {k: round_trip(v, scheme) if v.ndim == 2 else v.copy() for k, v in base.items()}
    if relation == "merge":
        w = rng.uniform(0.3, 0.7, len(parents))
        w = w / w.sum()
        return {k: sum(wi * p[k] for wi, p in zip(w, parents, strict=True)).astype(np.float32) for k in base}
    if relation == "reupload":
        return {k: v.copy() for k, v in base.items()}
    if relation == "unrelated":
        return init(rng)
    raise ValueError(f"unknown relation {relation}")


def family(rng: np.random.Generator, size: int) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, str]]:
    """A random family tree of `size` checkpoints (m0 the root; fine-tunes, adapters, quantized copies, and
    derivatives of derivatives): (weights by id, true parent by child id). Ids are in creation order. A parent
    gets one quantized copy at most and quantized copies are not quantized again: two identical round trips of
    one parent are the same weights, which no method can tell apart."""
    weights = {"m0": init(rng)}
    parent_of: dict[str, str] = {}
    quantized: set[str] = set()
    for i in range(1, size):
        parent = f"m{int(rng.integers(i))}"
        rel = ("finetune", "finetune", "adapter", "quantized")[int(rng.integers(4))]
        if rel == "quantized" and (parent in quantized or any(parent_of.get(q) == parent for q in quantized)):
            rel = "finetune"
        weights[f"m{i}"] = derive(rel, [weights[parent]], rng)
        parent_of[f"m{i}"] = parent
        if rel == "quantized":
            quantized.add(f"m{i}")
    return weights, parent_of


QUANT_SCHEMES = ("int8-tensor", "int8-row", "int4-group32")


def round_trip(v: np.ndarray, scheme: str) -> np.ndarray:
    """Quantize and dequantize the way real quantizers do: one scale per tensor, per row, or per group."""
    if scheme == "int4-group32":  # asymmetric: scale and zero point per group of 32 inputs
        g = v.reshape(v.shape[0], -1, 32)
        lo, hi = g.min(-1, keepdims=True), g.max(-1, keepdims=True)
        s = np.where(hi > lo, (hi - lo) / 15, 1.0)
        return (np.clip(np.round((g - lo) / s), 0, 15) * s + lo).reshape(v.shape).astype(np.float32)
    axis = None if scheme == "int8-tensor" else 1
    s = np.abs(v).max(axis=axis, keepdims=True) / 127.0
    s = np.where(s > 0, s, 1.0)
    return (np.round(v / s).clip(-127, 127) * s).astype(np.float32)


def to_bytes(tensors: dict[str, np.ndarray]) -> bytes:
    return save(tensors, metadata={"format": "pt"})


def config_json(parent: str | None) -> bytes:
    cfg: dict[str, object] = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "vocab_size": VOCAB,
        "torch_dtype": "float32",
    }
    if parent:
        cfg["_name_or_path"] = parent
    return json.dumps(cfg, indent=2).encode()
