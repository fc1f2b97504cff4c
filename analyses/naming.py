"""Model names as sequences of segments ({base-model}{size}{variant-type}...), the naming convention they
follow, and the variant type a name alone suggests (Ajibode et al.'s naming study, docs/published_figures.md).

Token classes are data (data/name_segments.csv); the rules here only decide what a token is when no
pattern claims it: a known model family or a leading stem followed by a size, date or format is the
{base-model}, anything else an {identifier}.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
# tokens that contain a separator but are one unit
COMPOUND = re.compile(r"(?i)(?:i?q\d_k_[sml]|i?q\d_k|q\d_\d|iq\d_[a-z]+|(?:bnb|mlx)[-_]\d+-?bit|\d+-bit|fine-tuned)")
TOKEN = re.compile(COMPOUND.pattern + r"|[^-_\s]+")
NUMBER = re.compile(r"^\d+(\.\d+)?$")
KNOWN_FAMILIES = (
    "llama",
    "codellama",
    "mistral",
    "mixtral",
    "gemma",
    "qwen",
    "phi",
    "bert",
    "roberta",
    "deberta",
    "distil",
    "albert",
    "electra",
    "xlm",
    "t5",
    "flan",
    "mt5",
    "bart",
    "pegasus",
    "gpt",
    "opt",
    "bloom",
    "falcon",
    "whisper",
    "wav2vec2",
    "hubert",
    "vit",
    "clip",
    "blip",
    "sd",
    "sdxl",
    "stable",
    "flux",
    "deepseek",
    "yi",
    "internlm",
    "baichuan",
    "chatglm",
    "olmo",
    "pythia",
    "starcoder",
    "santacoder",
    "mpt",
    "minilm",
    "mpnet",
    "e5",
    "bge",
    "gte",
    "kokoro",
    "cogvideox",
    "janus",
    "esm",
    "exaone",
    "solar",
    "zephyr",
    "tinyllama",
    "smollm",
    "granite",
    "command",
    "aya",
    "nemotron",
    "dbrx",
    "jamba",
    "mamba",
    "rwkv",
    "stablelm",
    "vicuna",
    "wizardlm",
    "openchat",
)
QUANT_VARIANT = "quantized"
NOT_DERIVED = ("base", "hf")  # variant words that a base release carries too
VARIANT_WORDS = {
    "merged": (
        "merge",
        "merged",
        "slerp",
        "ties",
        "dare",
        "passthrough",
        "franken",
        "frankenmerge",
        "mix",
        "blend",
        "fusion",
        "moe",
    ),
    "compressed": ("pruned", "sparse", "compressed"),
    "deduplicated": ("deduped", "dedup"),
    "distilled": ("distilled", "distill"),
    "adapter": ("lora", "qlora", "peft", "adapter"),
}


@dataclass(frozen=True)
class ParsedName:
    model_id: str
    segments: tuple[tuple[str, str], ...]  # (kind, text)

    @property
    def convention(self) -> str:
        return "".join("{" + kind + "}" for kind, _ in self.segments)

    def has(self, kind: str) -> bool:
        return any(k == kind for k, _ in self.segments)

    def texts(self, kind: str) -> list[str]:
        return [t for k, t in self.segments if k == kind]


@lru_cache(maxsize=1)
def segment_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    with open(DATA / "name_segments.csv", newline="") as fh:
        return tuple((row["kind"], re.compile(row["pattern"])) for row in csv.DictReader(fh))


def _pattern_kind(token: str) -> str | None:
    if token == "base":  # lower-case `base` is a size word (bert-base); `Base` a variant (Mistral-7B-Base)
        return "size"
    for kind, rx in segment_patterns():
        if rx.match(token):
            return kind
    return None


def _is_family(token: str) -> bool:
    t = token.lower()
    return any(t.startswith(f) for f in KNOWN_FAMILIES) and not t.isdigit()


def parse_name(model_id: str) -> ParsedName:
    name = model_id.rsplit("/", 1)[-1]
    tokens = TOKEN.findall(name)
    kinds = [_pattern_kind(t) for t in tokens]
    for i, (tok, kind) in enumerate(zip(tokens, kinds, strict=True)):
        if kind is not None or NUMBER.match(tok):
            continue
        nxt = next((k for k in kinds[i + 1 :] if k is not None), None) if i + 1 < len(tokens) else None
        following = kinds[i + 1] if i + 1 < len(tokens) else None
        if _is_family(tok):
            kinds[i] = "base-model"
        elif (
            i == 0
            and len(tokens) > 1
            and (
                following in ("size", "creation-date", "quantization")
                or (not tok.islower() and following in ("variant-type", "version"))
                or (not tok.islower() and nxt in ("size", "quantization"))
            )
        ):
            kinds[i] = "base-model"
        else:
            kinds[i] = "identifier"
    # numbers right after a base model belong to it (Llama-2, Qwen-2.5); other bare numbers are versions
    segments: list[tuple[str, str]] = []
    for tok, kind in zip(tokens, kinds, strict=True):
        if (
            segments
            and segments[-1][0] == "base-model"
            and (kind == "base-model" or (NUMBER.match(tok) and kind in (None, "version")))
        ):
            segments[-1] = ("base-model", segments[-1][1] + "-" + tok)
            continue
        if kind == "version" and not tok[:1].isalpha() and segments and segments[-1][0] == "base-model":
            segments[-1] = ("base-model", segments[-1][1] + "-" + tok)
            continue
        segments.append((kind or "version", tok))
    return ParsedName(model_id, tuple(segments))


def variant_from_name(parsed: ParsedName) -> tuple[str, str]:
    """(variant, evidence) from the name alone."""
    if parsed.has("quantization"):
        return QUANT_VARIANT, "name:" + parsed.texts("quantization")[-1]
    for variant, vocab in VARIANT_WORDS.items():
        hit = next((t for _, t in parsed.segments if t.lower() in vocab), None)
        if hit:
            return variant, f"name:{hit}"
    if any(t.lower().startswith("distil") for t in parsed.texts("base-model")):
        return "distilled", "name:" + parsed.texts("base-model")[0]
    derived = [t for t in parsed.texts("variant-type") if t.lower() not in NOT_DERIVED]
    if parsed.has("training-mechanism") or derived:
        hit = (parsed.texts("training-mechanism") or derived)[0]
        return "finetuned", f"name:{hit}"
    kinds = {k for k, _ in parsed.segments}
    if parsed.has("base-model") and kinds <= {"base-model", "size", "version", "creation-date", "variant-type"}:
        return "base", "name:" + parsed.texts("base-model")[0]
    if parsed.has("version") and parsed.has("identifier"):
        return "finetuned", "name:" + parsed.texts("version")[0]
    return "other", "name"


def classify_names(model_ids) -> list[tuple[str, str, str]]:
    """(model_id, variant, naming_convention) per name: what `hubmine names` prints."""
    out = []
    for mid in model_ids:
        p = parse_name(mid)
        out.append((mid, variant_from_name(p)[0], p.convention))
    return out
