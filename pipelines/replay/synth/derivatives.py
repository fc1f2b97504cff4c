"""Derived models: a fine-tune, adapter, quantized copy or merge of models of its family.

A derivative inherits its parent's stem, size, languages, license and task, each with the drift the Anatomy
study reports downstream (languages dropped or narrowed to English, licenses omitted or changed, tasks
changed), and most declare their parents; the rest leave only evidence (a config, an adapter config, a name).
"""

from __future__ import annotations

import math
import random

from pipelines.replay.synth import names, vocab
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, date_after

CHILD_CARD_KINDS = ["handwritten", "template", "trainer", "autotrain"]
CHILD_CARD_WEIGHTS = {
    "finetune": [0.2, 0.3, 0.42, 0.08],
    "adapter": [0.1, 0.6, 0.3, 0.0],
    "quantized": [0.7, 0.3, 0.0, 0.0],
    "merge": [0.6, 0.3, 0.1, 0.0],
}
UNDECLARED_EVIDENCE = {"adapter": "adapter_config", "quantized": "name", "merge": "mergekit_config"}


class Derivatives:
    def __init__(self, rng: random.Random, ids: Identities):
        self.rng = rng
        self.ids = ids

    def make(self, parents: list[Node], rel: str, domain: str) -> Node:
        """A derivative of `parents` (the first is its main parent) by relation `rel`."""
        rng = self.rng
        p = parents[0]
        variant = {"adapter": "adapter", "quantized": "quantized", "merge": "merged"}.get(rel, "finetuned")
        if rel == "finetune":
            r = rng.random()
            variant = (
                "distilled" if r < 0.04 else "compressed" if r < 0.06 else "deduplicated" if r < 0.07 else "finetuned"
            )
        author = rng.choice(vocab.QUANTIZERS) if rel == "quantized" and rng.random() < 0.6 else self.ids.user()
        langs, lang = self._languages(p, rel)
        name, conv = names.child_name(rng, rel, p.stem, p.size, lang, variant)
        created = date_after(rng, max(x.created for x in parents))
        node = Node(
            self.ids.claim(author, name),
            author,
            name,
            p.stem,
            p.size,
            domain,
            max(x.depth for x in parents) + 1,
            rel,
            [x.id for x in parents],
            variant,
            conv,
            created,
            languages=langs,
            datasets=list(p.datasets),
        )
        node.license = self._license(p)
        self._software(node, p, rel, domain)
        if rng.random() < 0.5:
            node.datasets = sorted(set(node.datasets + rng.sample(vocab.DATASETS, 1)))
        node.autotrain = rel == "finetune" and rng.random() < 0.08
        node.card_kind = "autotrain" if node.autotrain else rng.choices(CHILD_CARD_KINDS, CHILD_CARD_WEIGHTS[rel])[0]
        node.card_chars = int(rng.lognormvariate(math.log(3300), 0.7))
        node.collaborative = rng.random() < 0.07
        if node.collaborative:
            node.team = self.ids.team()
        self._declaration(node, parents, author)
        return node

    def _languages(self, p: Node, rel: str) -> tuple[list[str], str | None]:
        """A child's languages (dropped, drifting to one, or inherited) and the one its name may carry."""
        rng = self.rng
        langs = list(p.languages)
        if rel not in ("finetune", "adapter"):
            return langs, None
        if rng.random() < 0.45:
            langs = []
        elif rng.random() < (0.7 if len(langs) > 3 else vocab.LANGUAGE_MUTATION):  # multilingual -> English-only
            langs = ["en"] if rng.random() < 0.7 else [rng.choice(vocab.LANGUAGES[1:])]
        return langs, langs[0] if len(langs) == 1 and rng.random() < 0.3 else None

    def _license(self, p: Node) -> str | None:
        """License downstream: inherited, omitted, or drifting."""
        rng = self.rng
        if rng.random() < vocab.LICENSE_OMITTED_BY_CHILD:
            return None
        if p.license and rng.random() < vocab.LICENSE_MUTATION:
            return rng.choice(vocab.LICENSE_DRIFT.get(p.license, ["apache-2.0", "mit"]))
        return p.license

    def _software(self, node: Node, p: Node, rel: str, domain: str) -> None:
        """Task, library and quantization format of a derivative."""
        rng = self.rng
        node.pipeline = p.pipeline
        if rel == "finetune" and rng.random() < vocab.TASK_MUTATION:
            node.pipeline = rng.choice(vocab.DOMAINS[domain].tasks)
        quant_library = None if rng.random() < 0.7 else "transformers"
        node.library = {"adapter": "peft", "quantized": quant_library}.get(rel, vocab.DOMAINS[domain].library)
        if domain == "diffusion":
            node.library = "diffusers"
        if rel == "quantized":
            node.quant_format = "GGUF" if "GGUF" in node.name else rng.choice(["AWQ", "GPTQ", "EXL2"])
            if node.quant_format != "GGUF":
                node.library = "transformers"

    def _declaration(self, node: Node, parents: list[Node], author: str) -> None:
        """Most children declare their parents; some only leave evidence behind."""
        rng = self.rng
        p = parents[0]
        node.declared = [x.id for x in parents]
        node.declare_relation = rng.random() < 0.3
        if rng.random() < 0.08:
            node.declared = []
            node.evidence = UNDECLARED_EVIDENCE.get(node.relation or "", "config")
            if node.relation == "quantized" and not node.name.startswith(p.name):
                node.name = f"{p.name}-{node.quant_format or 'GGUF'}"
                node.id = self.ids.claim(author, node.name)
                node.convention = ["base-model", "quantization"]
