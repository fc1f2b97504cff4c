"""Where what a card declares departs from the true lineage: planted anomalies and stale parent ids.

A few self-loops and cycles (a lineage analysis must survive them), and parents named by an id from before a
rename or in another letter case (the hub redirects both, as bert-base-uncased -> google-bert/bert-base-uncased).
"""

from __future__ import annotations

import random

from pipelines.replay.synth import vocab
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node


class Declarations:
    def __init__(self, rng: random.Random, stale_rng: random.Random, ids: Identities, n_models: int):
        self.rng = rng
        self.stale_rng = stale_rng  # a stream of its own: without stale ids, the same seed gives the same hub
        self.ids = ids
        self.self_loops_left = max(1, n_models // 5000) if n_models >= 500 else 0
        self.cycles_left = max(1, n_models // 20000) if n_models >= 1000 else 0
        self.renames: list[tuple[str, str]] = []  # (old id, current id) the hub redirects
        self.stale_case_any = False

    def plant(self, nodes: list[Node]) -> None:
        """Plant anomalies and stale ids in a family of two or more (root first)."""
        self._anomalies(nodes)
        self._stale_ids(nodes)

    def _anomalies(self, nodes: list[Node]) -> None:
        rng = self.rng
        if self.self_loops_left and len(nodes) >= 2 and rng.random() < 0.3:
            n = nodes[-1]
            n.declared = n.declared + [n.id]
            n.anomaly = "self_loop"
            self.self_loops_left -= 1
        elif self.cycles_left and len(nodes) >= 3 and rng.random() < 0.3:
            root, child = nodes[0], nodes[1]
            if child.declared == [root.id]:
                root.declared = [child.id]
                root.anomaly = "cycle"
                self.cycles_left -= 1

    def _stale_ids(self, nodes: list[Node]) -> None:
        """Cards naming their base by its id before a rename, or in another letter case."""
        rng = self.stale_rng
        root = nodes[0]
        kids = [n for n in nodes[1:] if root.id in n.declared and not n.anomaly]
        if len(nodes) >= 3 and kids and (rng.random() < vocab.RENAMED_BASE or not self.renames):
            old, k = root.name, 0
            while not self.ids.free(old):  # an id nobody else holds: a bare legacy name, as bert-base-uncased was
                k += 1
                old = f"{root.name}-v{k}"
            self.renames.append((old, root.id))
            for i, kid in enumerate(kids):
                if i == 0 or rng.random() < vocab.CARD_KEEPS_OLD_ID:
                    kid.declared_as[root.id] = old
        for n in nodes[1:]:
            for p in n.declared:
                stale = rng.random() < vocab.STALE_CASE or not self.stale_case_any
                if stale and p not in n.declared_as and not n.anomaly:
                    n.declared_as[p] = p.upper() if p.upper() != p else p.lower()
                    self.stale_case_any = True
