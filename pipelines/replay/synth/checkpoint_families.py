"""Small LLM families given tiny real checkpoints, so weight checks can be scored against the true derivation.

A share of fine-tunes are exact re-uploads and a few fine-tunes and adapters are unrelated weights under a
declared base; optionally a share of derivatives declares nothing, so only their weights tell (truth: "weights").
"""

from __future__ import annotations

import random

import numpy as np

from pipelines.replay.synth import checkpoints
from pipelines.replay.synth.node import Node


class CheckpointFamilies:
    def __init__(self, rng: random.Random, np_rng: np.random.Generator, budget: int, undeclared_weights: float):
        self.rng = rng
        self.np_rng = np_rng
        self.budget = budget
        self.left = budget
        self.undeclared_weights = undeclared_weights  # share of checkpoint children that declare nothing at all

    @property
    def given(self) -> int:
        """Models given a checkpoint so far."""
        return self.budget - max(0, self.left)

    def offer(self, nodes: list[Node]) -> None:
        """Give the family checkpoints while the budget lasts, if it is a small LLM family without anomalies."""
        if self.left > 0 and 2 <= len(nodes) <= 10 and nodes[0].domain == "llm" and not any(n.anomaly for n in nodes):
            self._give(nodes)
            self.left -= len(nodes)

    def _give(self, nodes: list[Node]) -> None:
        """Give every member of a small family a tiny real checkpoint with known derivation."""
        rng = self.rng
        by_id = {n.id: n for n in nodes}
        weights: dict[str, dict[str, np.ndarray]] = {}
        for n in nodes:
            if n.relation is None:
                weights[n.id] = checkpoints.init(self.np_rng)
                n.checkpoint_relation = "base"
                continue
            parents = [weights[p] for p in n.parents if p in weights]
            rel = n.relation
            r = rng.random()
            if rel == "finetune" and r < 0.12:
                rel = "reupload"
            elif rel in ("finetune", "adapter") and r > 0.92:
                rel = "unrelated"  # declares a base its weights do not come from
            weights[n.id] = checkpoints.derive(rel, parents, self.np_rng)
            n.checkpoint_relation = rel
            self._declare(n, rel)
        for nid, w in weights.items():
            by_id[nid].checkpoint = checkpoints.to_bytes(w)
            by_id[nid].library = "transformers"
            by_id[nid].quant_format = None

    def _declare(self, n: Node, rel: str) -> None:
        """Merges declare all their parents (so weight checks can judge them against all); a share of the
        other derivatives declare nothing and leave no other trace."""
        if rel == "merge":
            n.declared, n.evidence = list(n.parents), None
        elif (
            self.undeclared_weights
            and rel != "unrelated"
            and len(n.parents) == 1
            and self.np_rng.random() < self.undeclared_weights
        ):
            n.declared, n.evidence, n.declare_relation = [], "weights", False
