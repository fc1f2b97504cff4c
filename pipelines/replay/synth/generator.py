"""`hubmine hub synth`: a deterministic synthetic hub of any size, streamed to disk family by family.

Memory stays bounded by the largest family (plus one 8-byte hash per model id), so a million models
generate on a laptop. Everything drawn is recorded as ground truth under truth/ so analyses can be
scored: true lineage edges and relations, naming conventions, variants, licenses, card kinds, CO2
facts, commit categories, planted Bayesian-network dependencies and checkpoint pairs.

This module only orders the work; each part of a model is built by its own module (families, derivatives,
declarations, checkpoint_families, usage, files, cards, commits, records, truth). All share one random stream
and draw in a fixed order: changing that order changes every hub generated after it.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pipelines.replay.gitobj import sha256_hex
from pipelines.replay.store import STORE_FILE
from pipelines.replay.store_writer import StoreWriter
from pipelines.replay.synth import cards, records, usage, vocab
from pipelines.replay.synth.checkpoint_families import CheckpointFamilies
from pipelines.replay.synth.commits import Histories
from pipelines.replay.synth.declarations import Declarations
from pipelines.replay.synth.families import FamilyBuilder, family_size, isolate_share
from pipelines.replay.synth.files import RepoFiles
from pipelines.replay.synth.identities import Identities
from pipelines.replay.synth.node import Node
from pipelines.replay.synth.truth import ModelFacts, TruthWriters

GENERATOR_VERSION = 5  # 4: real git ids (commits, trees, blobs); 5: renamed bases, stale parent ids
Progress = Callable[[int, int], None]


class SyntheticHub:
    def __init__(
        self, n_models: int, seed: int, out: Path, checkpoint_models: int | None = None, undeclared_weights: float = 0.0
    ):
        self.n = n_models
        self.seed = seed
        self.out = Path(out)
        self.rng = random.Random(seed)
        self.cap = max(8, int(vocab.LARGEST_FAMILY_SHARE * n_models))
        self.isolate_share = isolate_share(seed, self.cap)
        self.ids = Identities(self.rng)
        self.declarations = Declarations(self.rng, random.Random(seed ^ 0x57A1E), self.ids, n_models)
        self.families = FamilyBuilder(self.rng, self.ids, self.declarations)
        budget = checkpoint_models if checkpoint_models is not None else min(160, max(12, n_models // 25))
        self.checkpoints = CheckpointFamilies(self.rng, np.random.default_rng(seed), budget, undeclared_weights)
        self.spaces = usage.Spaces(self.rng, self.ids)
        self.files = RepoFiles(self.rng, self.ids)
        self.histories = Histories(self.rng, self.ids, self.files)
        self.emitted = 0

    def run(self, progress: Progress | None = None) -> dict[str, Any]:
        self.out.mkdir(parents=True, exist_ok=True)
        writer = StoreWriter(self.out / STORE_FILE)
        truth = TruthWriters(self.out / "truth")
        t0 = time.time()
        try:
            families, spaces = self._families(writer, truth, progress)
            manifest = self._manifest(families, spaces, time.time() - t0)
            for old, new in self.declarations.renames:
                writer.add_rename(old, new)
                truth.add("renames", {"old_id": old, "new_id": new})
            writer.set_meta("kind", "synthetic")
            writer.set_meta("manifest", manifest)
            truth.close()
            writer.close()
        except BaseException:
            writer.abort()
            raise
        (self.out / "SNAPSHOT.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest

    def _families(self, writer: StoreWriter, truth: TruthWriters, progress: Progress | None) -> tuple[int, int]:
        """Build and write families until the hub is full; returns (families, spaces) written."""
        made = families = spaces = 0
        while made < self.n:
            size = 1 if self.rng.random() < self.isolate_share else family_size(self.rng, self.cap)
            nodes = self.families.build(families, min(size, self.n - made))
            families += 1
            self.checkpoints.offer(nodes)
            usage.popularity(self.rng, nodes)
            for space in self.spaces.assign(nodes):
                writer.add_space(space)
                spaces += 1
            for n in nodes:
                usage.energy(self.rng, n)
                self._emit(n, nodes[0].id, writer, truth)
            made += len(nodes)
            if progress:
                progress(made, self.n)
        return families, spaces

    def _manifest(self, families: int, spaces: int, seconds: float) -> dict[str, Any]:
        return {
            "kind": "synthetic",
            "generator": "hubmine hub synth",
            "generator_version": GENERATOR_VERSION,
            "seed": self.seed,
            "models": self.emitted,
            "families": families,
            "spaces": spaces,
            "renames": len(self.declarations.renames),
            "checkpoint_models": self.checkpoints.given,
            "isolate_share": round(self.isolate_share, 4),
            "note": "SYNTHETIC data generated by hubmine; calibrated to published figures "
            "(docs/published_figures.csv), not real models.",
            "seconds": round(seconds, 1),
        }

    def _emit(self, n: Node, root_id: str, writer: StoreWriter, truth: TruthWriters) -> None:
        """Write one model: its files, card, history, record and ground truth (random draws in a fixed order)."""
        rng = self.rng
        self.emitted += 1
        weight_file, files = self.files.layout(n)
        meta = records.card_meta(rng, n)
        card, malformed = cards.readme(rng, n, meta)
        contents, truncated_json = self.files.contents(n, files, card, self.emitted)
        plan, popular = self.histories.plan(n, weight_file, files, card)
        history = self.histories.build(n, plan, files, contents)
        commits = history.commits
        for data in contents.values():
            writer.add_blob(data, zipped=len(data) > 256)
        if n.checkpoint is not None:
            writer.add_blob(n.checkpoint, key=sha256_hex(n.checkpoint))
        refs: dict[str, list[dict[str, str]]] = {"tags": history.tags}
        if rng.random() < 0.03:
            refs["converts"] = [{"name": "parquet", "commit": commits[-1]["id"]}]
        record = records.record(
            rng, self.ids, n, commits, None if malformed or card is None else meta, weight_file, files
        )
        writer.add_model(record, history=commits, refs=refs)
        facts = ModelFacts(record["_id"], malformed, popular, bool(history.tags), len(commits), truncated_json)
        truth.add_model(n, root_id, facts, history.truth)


def generate(
    out: Path,
    n_models: int,
    seed: int,
    checkpoint_models: int | None = None,
    progress: Progress | None = None,
    undeclared_weights: float = 0.0,
) -> dict[str, Any]:
    return SyntheticHub(n_models, seed, Path(out), checkpoint_models, undeclared_weights).run(progress)
