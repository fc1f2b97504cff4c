"""How a family is used and reported: downloads and likes, the spaces built on it, and CO2 reports.

Downloads are heavy-tailed (most models have none, the top 1% hold nearly all); spaces pick models by the
square root of their downloads; CO2 reports come in the shapes seen on the hub, a few of them nonsense.
"""

from __future__ import annotations

import math
import random
from typing import Any

from pipelines.replay.synth import vocab
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node, date_after, zdate

# shapes of the report in the front matter, by share of reports
CO2_SHAPES = {
    "number": 0.15,
    "mapping": 0.45,
    "mapping_kg": 0.1,
    "string_units": 0.1,
    "text_only": 0.15,
    "nonsense": 0.05,
}


def popularity(rng: random.Random, nodes: list[Node]) -> None:
    fam_scale = len(nodes)
    for n in nodes:
        if n.is_root:
            n.downloads = int(rng.lognormvariate(math.log(20000 * fam_scale), 2.2))
        elif rng.random() < 0.74:
            n.downloads = 0
        else:
            n.downloads = int(rng.paretovariate(1.3))
            if n.relation == "quantized":
                n.downloads *= 4
        if n.downloads:
            n.likes = int(rng.lognormvariate(0, 1) * n.downloads**0.45 / 6)
        else:
            n.likes = 1 if rng.random() < 0.05 else 0


class Spaces:
    """Spaces that use a family's models, numbered across the hub."""

    def __init__(self, rng: random.Random, ids: Identities):
        self.rng = rng
        self.ids = ids
        self.count = 0

    def assign(self, nodes: list[Node]) -> list[dict[str, Any]]:
        """The family's spaces as the hub lists them; each model used learns the space's id."""
        rng = self.rng
        spaces: list[dict[str, Any]] = []
        weights = [math.sqrt(n.downloads) for n in nodes]
        total = sum(weights)
        if total <= 0:
            return spaces
        expected = 0.05 * total**0.85
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(count):
            used = rng.choices(nodes, weights, k=1)
            if len(nodes) > 1 and rng.random() < 0.2:
                extra = rng.choice(nodes)
                if extra is not used[0]:
                    used.append(extra)
            spaces.append(self._space(used))
        return spaces

    def _space(self, used: list[Node]) -> dict[str, Any]:
        rng = self.rng
        owner = self.ids.user()
        self.count += 1
        ident = rng.choice(vocab.IDENTIFIERS)
        kind = rng.choice(["demo", "chat", "playground", "app", "space"])
        sid = f"{owner}/{ident}-{kind}-{self.count}"
        created = date_after(rng, max(u.created for u in used))
        record = {
            "_id": self.ids.mongo_id(created),
            "id": sid,
            "author": owner,
            "sdk": rng.choices(list(vocab.SPACE_SDKS), list(vocab.SPACE_SDKS.values()))[0],
            "likes": int(rng.paretovariate(1.2)) - 1,
            "createdAt": zdate(created),
            "lastModified": zdate(date_after(rng, created)),
            "sha": self.ids.oid(),
            "private": False,
            "models": [u.id for u in used],
            "tags": ["gradio", vocab.SYNTHETIC_TAG],
            "trendingScore": 0,
        }
        for u in used:
            u.spaces.append(sid)
        return record


def energy(rng: random.Random, n: Node) -> None:
    """Most AutoTrain models report CO2, some roots do, hardly any other model."""
    p = 0.85 if n.autotrain else 0.15 if n.is_root else 0.008
    if rng.random() < p:
        n.co2 = co2_fact(rng, n.autotrain)


def co2_fact(rng: random.Random, autotrain: bool) -> dict[str, Any]:
    """A CO2 report in one of the shapes seen on the hub, with its true value in grams (None: nonsense)."""
    grams = round(10 ** rng.uniform(-1, 4) if autotrain else 10 ** rng.uniform(2, 7.5), 3)
    fact: dict[str, Any] = {
        "grams": grams,
        "hardware": rng.choice(vocab.HARDWARE),
        "hours": round(rng.uniform(0.2, 900), 1),
        "cloud": rng.choice(vocab.CLOUDS),
        "region": rng.choice(vocab.REGIONS),
        "training_type": "fine-tuning" if autotrain else rng.choice(vocab.TRAINING_TYPES),
    }
    if autotrain:
        fact.update(shape="number", yaml=grams, text_form="autotrain", text_value=grams)
        return fact
    shape = rng.choices(list(CO2_SHAPES), list(CO2_SHAPES.values()))[0]
    fact["shape"] = shape
    fact["text_form"] = "template" if shape in ("text_only", "mapping") and rng.random() < 0.6 else None
    fact["text_value"] = f"{grams / 1000:.2f} kg" if grams >= 1000 else f"{grams} g"
    _co2_yaml(rng, fact, shape, grams)
    return fact


def _co2_yaml(rng: random.Random, fact: dict[str, Any], shape: str, grams: float) -> None:
    """What the card's front matter says (`yaml`), as the shape has it."""
    if shape == "number":
        fact["yaml"] = grams
    elif shape in ("mapping", "mapping_kg"):
        fact["yaml"] = {
            "emissions": grams if shape == "mapping" else f"{grams / 1000} kg",
            "source": rng.choice(["CodeCarbon", "ML CO2 Impact calculator", "Lacoste et al. (2019)"]),
            "training_type": fact["training_type"],
            "geographical_location": fact["region"],
            "hardware_used": fact["hardware"],
        }
    elif shape == "string_units":
        yaml = f"{grams} g" if rng.random() < 0.5 else f"{grams / 1000:.3f} kg"
        fact["yaml"] = yaml
        if yaml.endswith("kg"):
            fact["grams"] = round(float(yaml.split()[0]) * 1000, 3)
    elif shape == "text_only":
        fact["yaml"] = None
        fact["text_form"] = "template"
    else:  # nonsense: negative or text, to be quarantined
        fact["yaml"] = rng.choice([-abs(grams), "unknown", "N/A", "lots"])
        fact["grams"] = None
        fact["text_form"] = None
