"""The files of a synthetic repo: its layout by kind of model, and the small files stored with their content.

Weights and other large files are LFS objects known by size and hash only; config.json, adapter_config.json
and mergekit_config.yml are written out because crawlers read lineage evidence from them. A rare config is
left truncated (at least one per hub of a few hundred models), so crawls exercise their quarantine.
"""

from __future__ import annotations

import json
import random

from pipelines.replay.gitobj import Entry, filler_oid, lfs_pointer_oid, sha256_hex
from pipelines.replay.synth import checkpoints, vocab
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, params_of

GITATTRIBUTES = (
    b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n*.bin filter=lfs diff=lfs merge=lfs -text\n"
    b"*.gguf filter=lfs diff=lfs merge=lfs -text\ntokenizer.json filter=lfs diff=lfs merge=lfs -text\n"
)
LFS_MIN_SIZE = 1 << 20  # files this large are stored in LFS (the size limit of a crawler's blobless clone)
TRUNCATED_BY = 120  # a hub that has written this many models without a truncated config truncates the next one


def config_json(domain: str, name_or_path: str | None) -> bytes:
    arch, mtype = vocab.DOMAINS[domain].arch
    cfg = {"architectures": [arch], "model_type": mtype, "torch_dtype": "bfloat16"}
    if name_or_path:
        cfg["_name_or_path"] = name_or_path
    return json.dumps(cfg, indent=2).encode()


class RepoFiles:
    def __init__(self, rng: random.Random, ids: Identities):
        self.rng = rng
        self.ids = ids
        self.truncated_any = False

    def layout(self, n: Node) -> tuple[str, dict[str, int]]:
        """Main weight file and the head file set {path: size} of a repo."""
        params = params_of(n.size)
        files: dict[str, int] = {".gitattributes": len(GITATTRIBUTES)}
        if n.checkpoint is not None:
            files["model.safetensors"] = len(n.checkpoint)
            files["config.json"] = 0
            return "model.safetensors", files
        if n.relation == "adapter":
            w = "pytorch_lora_weights.safetensors" if n.domain == "diffusion" else "adapter_model.safetensors"
            files[w] = int(params * 0.002) + 4096
            if n.domain != "diffusion":
                files["adapter_config.json"] = 0
            return w, files
        if n.relation == "quantized" and n.quant_format == "GGUF":
            w = f"{n.name}.{self.rng.choice(vocab.GGUF_LEVELS)}.gguf"
            files[w] = int(params * 0.6)
            if self.rng.random() < 0.5:
                files[f"{n.name}.Q8_0.gguf"] = int(params * 1.06)
            return w, files
        if n.domain == "diffusion":
            w = "unet/diffusion_pytorch_model.safetensors"
            files[w] = int(params * 2)
            files["model_index.json"] = 512
            return w, files
        return self._transformers_layout(n, params, files)

    def _transformers_layout(self, n: Node, params: int, files: dict[str, int]) -> tuple[str, dict[str, int]]:
        w = "model.safetensors" if self.rng.random() < 0.85 else "pytorch_model.bin"
        if n.relation is None and n.depth == 0 and params > 5e9:
            files["model-00001-of-00002.safetensors"] = params
            files["model-00002-of-00002.safetensors"] = params
            files["model.safetensors.index.json"] = 24000
            w = "model-00001-of-00002.safetensors"
        else:
            files[w] = params * 2
        files["config.json"] = 0
        if n.domain in ("llm", "encoder"):
            files["tokenizer.json"] = 1_800_000
            files["tokenizer_config.json"] = 1200
            files["special_tokens_map.json"] = 400
        if n.relation == "quantized":
            files["quantize_config.json"] = 300
        if n.relation == "merge":
            files["mergekit_config.yml"] = 0
        return w, files

    def regular_entry(self, path: str, idx: int, size: int) -> Entry:
        """Tree entry of a file whose content is not stored: a synthetic filler, or an LFS object when large."""
        drawn = self.ids.oid()
        if size >= LFS_MIN_SIZE:
            sha = sha256_hex(drawn.encode())
            return [lfs_pointer_oid(sha, size), size, sha]
        return [filler_oid(path, idx, size), size, None]

    def contents(
        self, n: Node, files: dict[str, int], card: bytes | None, emitted: int
    ) -> tuple[dict[str, bytes], str | None]:
        """The small files stored with their final content (their sizes set in `files`), and the config left
        truncated (if any); `emitted` counts the models written so far, this one included."""
        rng = self.rng
        contents: dict[str, bytes] = {".gitattributes": GITATTRIBUTES}
        truncated_json = None
        if n.evidence == "adapter_config" and "adapter_config.json" not in files:
            # a merged adapter ships full weights: only config.json can name its base; a diffusion LoRA
            # without a config leaves no trace of its base at all
            n.evidence = "config" if "config.json" in files else None
        if "config.json" in files:
            names_parent = bool(n.parents) and (n.evidence == "config" or (n.declared and rng.random() < 0.5))
            name_or_path = n.parents[0] if names_parent else None
            contents["config.json"] = (
                checkpoints.config_json(name_or_path)
                if n.checkpoint is not None
                else config_json(n.domain, name_or_path)
            )
        if "adapter_config.json" in files:
            contents["adapter_config.json"] = self._adapter_config(n)
        if "mergekit_config.yml" in files:
            contents["mergekit_config.yml"] = (
                "models:\n" + "".join(f"  - model: {p}\n" for p in n.parents) + "merge_method: slerp\ndtype: bfloat16\n"
            ).encode()
        for path in ("config.json", "adapter_config.json"):
            if path in contents and (rng.random() < 0.004 or (not self.truncated_any and emitted >= TRUNCATED_BY)):
                self.truncated_any = True
                contents[path] = contents[path][: len(contents[path]) // 2]
                truncated_json = path
        if card is not None:
            contents["README.md"] = card
        for path, data in contents.items():
            files[path] = len(data)
        return contents, truncated_json

    def _adapter_config(self, n: Node) -> bytes:
        config = {
            "base_model_name_or_path": n.parents[0] if n.parents else None,
            "peft_type": "LORA",
            "r": self.rng.choice([8, 16, 32, 64]),
            "lora_alpha": 16,
            "target_modules": ["q_proj", "v_proj"],
            "task_type": "CAUSAL_LM",
        }
        return json.dumps(config, indent=2).encode()
