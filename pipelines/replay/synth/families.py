"""Families of the synthetic hub: a root and its derivatives (or one isolated model), with their true lineage.

Family sizes follow a discrete Pareto law; the share of isolated models is calibrated so that edges per model
match the Anatomy study. Every draw comes from the hub's one random stream, in a fixed order, so a seed gives
the same hub.
"""

from __future__ import annotations

import math
import random

from pipelines.replay.synth import names, vocab
from pipelines.replay.synth.declarations import Declarations
from pipelines.replay.synth.derivatives import Derivatives
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, root_date

# the relation drawn for each derived model (the published edge mix it is set against: docs/published_figures.csv)
NODE_RELATIONS = {"adapter": 0.435, "finetune": 0.34, "quantized": 0.19, "merge": 0.035}


def family_size(rng: random.Random, cap: int) -> int:
    """A discrete Pareto draw (alpha ~1.05), truncated at the largest family share of the hub."""
    return min(cap, int(2 * (1 - rng.random()) ** (-1 / 1.05)))


def isolate_share(seed: int, cap: int) -> float:
    """Share of single-model families that makes edges/models match the Anatomy study."""
    rng = random.Random(seed ^ 0x5EED)
    sizes = [family_size(rng, cap) for _ in range(20000)]
    m = sum(sizes) / len(sizes)
    target = vocab.EDGES_PER_MODEL / 1.03  # merges add a second parent edge
    # (1-q)(m-1) / (q + (1-q) m) = target  ->  q
    q = ((m - 1) - target * m) / ((m - 1) - target * m + target)
    return min(0.99, max(0.0, q))


class FamilyBuilder:
    def __init__(self, rng: random.Random, ids: Identities, declarations: Declarations):
        self.rng = rng
        self.ids = ids
        self.declarations = declarations
        self.derivatives = Derivatives(rng, ids)

    def build(self, fam: int, size: int) -> list[Node]:
        """Family number `fam` of `size` models, root first."""
        rng = self.rng
        domain = self._domain()
        if size == 1:
            return [self._isolate(domain)]
        root = self._root(fam, size, domain)
        nodes = [root]
        finetunes: list[Node] = []
        for _ in range(size - 1):
            rel = rng.choices(list(NODE_RELATIONS), list(NODE_RELATIONS.values()))[0]
            pool = [root] + finetunes
            if rel == "merge" and len(pool) < 2:
                rel = "finetune"
            if rel == "merge":
                parents = rng.sample(pool, 2 if rng.random() < 0.85 else min(3, len(pool)))
            else:
                parent = root
                if finetunes and rng.random() < (0.10 if rel == "finetune" else 0.35 if rel == "quantized" else 0.06):
                    parent = rng.choice(finetunes)
                parents = [parent]
            child = self.derivatives.make(parents, rel, domain)
            nodes.append(child)
            if rel == "finetune":
                finetunes.append(child)
        self.declarations.plant(nodes)
        return nodes

    def _domain(self) -> str:
        doms = list(vocab.DOMAINS)
        return self.rng.choices(doms, [vocab.DOMAINS[d].weight for d in doms])[0]

    @staticmethod
    def _stem(k: int) -> str:
        a = vocab.STEM_A[k % len(vocab.STEM_A)]
        b = vocab.STEM_B[(k // len(vocab.STEM_A)) % len(vocab.STEM_B)]
        n = k // (len(vocab.STEM_A) * len(vocab.STEM_B))
        return f"{a}{b}{n if n else ''}"

    def _root_languages(self, domain: str) -> list[str]:
        rng = self.rng
        if domain in ("diffusion", "vision"):
            return ["en"] if rng.random() < 0.5 else []
        if rng.random() < 0.55:
            k = min(len(vocab.LANGUAGES), max(2, int(rng.gauss(9, 4))))
            return ["en"] + rng.sample(vocab.LANGUAGES[1:], k - 1)
        return ["en"] if rng.random() < 0.8 else [rng.choice(vocab.LANGUAGES[1:])]

    def _root_license(self, domain: str) -> str:
        lic = self.rng.choices(list(vocab.ROOT_LICENSES), list(vocab.ROOT_LICENSES.values()))[0]
        if domain == "diffusion" and self.rng.random() < 0.6:
            lic = self.rng.choice(["creativeml-openrail-m", "openrail++", "openrail", "other"])
        return lic

    def _root(self, fam: int, size: int, domain: str) -> Node:
        rng = self.rng
        dom = vocab.DOMAINS[domain]
        stem = self._stem(fam)
        size_tok = rng.choice(dom.sizes)
        big = size >= 20 or rng.random() < 0.3
        author = rng.choice(vocab.BIG_ORGS) if big else self.ids.user()
        name, conv = names.root_name(rng, stem, size_tok)
        created = root_date(rng)
        root = Node(
            self.ids.claim(author, name),
            author,
            name,
            stem,
            size_tok,
            domain,
            0,
            None,
            [],
            "base",
            conv,
            created,
            license=self._root_license(domain),
            languages=self._root_languages(domain),
            pipeline=dom.pipeline,
            library=dom.library,
            datasets=rng.sample(vocab.DATASETS, rng.randint(0, 3)),
        )
        root.card_kind = rng.choices(["handwritten", "template", "trainer"], [0.72, 0.23, 0.05])[0]
        root.card_chars = int(min(40000, rng.lognormvariate(math.log(8200), 0.6)))
        root.collaborative = big and rng.random() < 0.5 or rng.random() < 0.08
        if root.collaborative:
            root.team = self.ids.team()
        root.is_root = True
        return root

    def _isolate(self, domain: str) -> Node:
        rng = self.rng
        dom = vocab.DOMAINS[domain]
        author = self.ids.user()
        lang = rng.choice(["en", "en", "en", "es", "zh", "fr", "de"]) if rng.random() < 0.4 else None
        if rng.random() < 0.55:
            name, conv = names.child_name(rng, "finetune", rng.choice(vocab.IDENTIFIERS), "", lang, "finetuned")
            variant = "finetuned"
        else:
            ident = rng.choice(vocab.IDENTIFIERS)
            suffix = rng.choice(["model", "classifier", "v1", "test", "demo", "bot"])
            name, conv = f"{ident}-{suffix}", ["identifier", "identifier"]
            variant = "other"
        created = root_date(rng)
        node = Node(
            self.ids.claim(author, name),
            author,
            name,
            name.split("-")[0],
            "",
            domain,
            0,
            None,
            [],
            variant,
            conv,
            created,
            pipeline=rng.choice(dom.tasks),
            library=dom.library if rng.random() < 0.7 else rng.choice([*vocab.OTHER_LIBRARIES, None]),
            datasets=rng.sample(vocab.DATASETS, rng.randint(0, 2)),
            languages=[lang] if lang else [],
        )
        node.license = rng.choices(list(vocab.ISOLATE_LICENSES), list(vocab.ISOLATE_LICENSES.values()))[0]
        node.autotrain = rng.random() < 0.06
        node.card_kind = (
            "autotrain"
            if node.autotrain
            else rng.choices(["handwritten", "template", "trainer", "none"], [0.25, 0.3, 0.25, 0.2])[0]
        )
        node.card_chars = int(rng.lognormvariate(math.log(1800), 0.8))
        if node.card_kind != "none" and rng.random() < 0.03:  # derived from a model not on the hub (deleted or private)
            node.declared = [f"{names.handle(10**6 + rng.randrange(10**5))}/{rng.choice(vocab.IDENTIFIERS)}-base"]
            node.anomaly = "orphan"
        return node
