"""Synthetic user handles and model names built from naming-convention segments.

A name is a sequence of segments ({base-model}, {size}, {version}, {variant-type}, ...); the sequence is
recorded as the model's true naming convention so the name parser can be scored.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from pipelines.replay.synth import vocab

Add = Callable[[str, str], None]  # appends a name segment of a convention kind
_SYL = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ten",
    "vo",
    "zu",
    "bri",
    "del",
    "fen",
    "gor",
    "hal",
    "jin",
    "kor",
    "lum",
    "mar",
    "nes",
    "pol",
    "qui",
    "ros",
    "sav",
    "tor",
    "ul",
    "ven",
    "wex",
    "yor",
    "zan",
    "ash",
    "bel",
    "cy",
]
_WORDS = ["data", "ml", "ai", "neural", "deep", "lab", "bits", "tensor", "vector", "grad", "byte", "code"]


def handle(k: int) -> str:
    """A deterministic, human-looking user handle for user number k."""
    a = _SYL[k % len(_SYL)]
    b = _SYL[(k // len(_SYL)) % len(_SYL)]
    w = _WORDS[(k // 900) % len(_WORDS)]
    style = k % 4
    n = k // 10800
    suffix = str(n) if n else ""
    if style == 0:
        return f"{a}{b}{suffix}"
    if style == 1:
        return f"{a.capitalize()}{b}-{w}{suffix}"
    if style == 2:
        return f"{a}_{b}{w}{suffix}"
    return f"{a}{b}{k % 97}{suffix}"


def version_token(rng: random.Random) -> str:
    major = rng.choice([1, 1, 2, 2, 3, 0])
    if rng.random() < 0.5:
        return f"v{major}.{rng.randint(0, 5)}"
    return f"v{max(major, 1)}"


def root_name(rng: random.Random, stem: str, size: str) -> tuple[str, list[str]]:
    """Base model names: Stem-7B, Stem-v2-7B, Stem-7B-Base, Stem-2407."""
    r = rng.random()
    parts, conv = [stem], ["base-model"]
    if r < 0.25:
        parts.append(version_token(rng))
        conv.append("version")
    if size:
        parts.append(size)
        conv.append("size")
    if r > 0.85:
        parts.append("Base")
        conv.append("variant-type")
    elif 0.7 < r <= 0.85:
        parts.append(f"{rng.randint(23, 25)}{rng.randint(1, 12):02d}")
        conv.append("creation-date")
    return "-".join(parts), conv


def child_name(
    rng: random.Random, relation: str, parent_stem: str, size: str, lang: str | None, variant: str
) -> tuple[str, list[str]]:
    """Derivative names by relation; returns (name, convention segments)."""
    parts: list[str] = []
    conv: list[str] = []

    def add(value: str, kind: str) -> None:
        if value:
            parts.append(value)
            conv.append(kind)

    r = rng.random()
    if relation == "quantized":
        _quantized_name(rng, add, parent_stem, size)
    elif relation == "adapter":
        _adapter_name(rng, add, r, parent_stem, size)
    elif relation == "merge":
        _merge_name(rng, add, r, parent_stem, size)
    else:  # finetune family: finetuned / distilled / compressed / deduplicated
        _finetune_name(rng, add, r, parent_stem, size, lang, variant)
    sep = "-" if rng.random() < 0.85 else "_"
    return sep.join(p for p in parts if p), conv


def _quantized_name(rng: random.Random, add: Add, parent_stem: str, size: str) -> None:
    add(parent_stem, "base-model")
    if rng.random() < 0.8:
        add(size, "size")
    fmt = rng.choice(vocab.QUANT_FORMATS)
    if fmt == "GGUF" and rng.random() < 0.3:
        add(rng.choice(vocab.GGUF_LEVELS), "quantization")
    add(fmt, "quantization")


def _adapter_name(rng: random.Random, add: Add, r: float, parent_stem: str, size: str) -> None:
    if r < 0.5:
        add(parent_stem.lower(), "base-model")
        add(size.lower(), "size")
        add(rng.choice(["lora", "qlora", "adapter", "peft"]), "training-mechanism")
        add(rng.choice(vocab.IDENTIFIERS), "identifier")
    else:
        add(rng.choice(vocab.IDENTIFIERS), "identifier")
        add(rng.choice(["lora", "LoRA", "adapter"]), "training-mechanism")


def _merge_name(rng: random.Random, add: Add, r: float, parent_stem: str, size: str) -> None:
    if r < 0.5:
        add(rng.choice(vocab.IDENTIFIERS).capitalize() + parent_stem, "identifier")
        add(size, "size")
        add(rng.choice(vocab.MERGE_WORDS).lower(), "variant-type")
    else:
        add(parent_stem, "base-model")
        add(rng.choice(vocab.FINETUNE_WORDS), "variant-type")
        add("merge", "variant-type")


def _finetune_name(
    rng: random.Random, add: Add, r: float, parent_stem: str, size: str, lang: str | None, variant: str
) -> None:
    if variant == "distilled":
        add("distil" + parent_stem.lower(), "base-model")
        add(size, "size")
    elif variant in ("compressed", "deduplicated"):
        add(parent_stem, "base-model")
        add(size, "size")
        add(rng.choice(["pruned", "sparse", "compressed"]) if variant == "compressed" else "deduped", "variant-type")
    elif r < 0.35:
        add(parent_stem, "base-model")
        add(size, "size")
        add(rng.choice(vocab.FINETUNE_WORDS), "variant-type")
        if rng.random() < 0.4:
            add(version_token(rng), "version")
    elif r < 0.55:
        add(parent_stem.lower(), "base-model")
        add(size.lower(), "size")
        add(rng.choice(vocab.MECHANISMS), "training-mechanism")
        add(rng.choice(vocab.IDENTIFIERS), "identifier")
    elif r < 0.75:
        add(rng.choice(vocab.IDENTIFIERS), "identifier")
        add(rng.choice(vocab.FINETUNE_WORDS).lower(), "variant-type")
        if lang:
            add(lang, "language")
    elif r < 0.9:
        add(rng.choice(vocab.IDENTIFIERS), "identifier")
        add(version_token(rng), "version")
    else:
        add(parent_stem, "base-model")
        add(f"20{rng.randint(23, 25)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}", "creation-date")
