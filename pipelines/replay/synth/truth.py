"""Ground truth of a synthetic hub, streamed to Parquet beside the snapshot (truth/*.parquet)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.replay.synth.node import Node, zdate

S = pa.string()
SCHEMAS = {
    "models": pa.schema(
        [
            ("model_id", S),
            ("mongo_id", S),
            ("author", S),
            ("family_root", S),
            ("depth", pa.int32()),
            ("relation", S),
            ("variant", S),
            ("naming_convention", S),
            ("license", S),
            ("languages", pa.list_(S)),
            ("pipeline_tag", S),
            ("library", S),
            ("card_kind", S),
            ("card_malformed", pa.bool_()),
            ("autotrain", pa.bool_()),
            ("downloads", pa.int64()),
            ("likes", pa.int64()),
            ("spaces", pa.int32()),
            ("collaborative", pa.bool_()),
            ("popular", pa.bool_()),
            ("has_release", pa.bool_()),
            ("commits", pa.int32()),
            ("co2_shape", S),
            ("co2_grams", pa.float64()),
            ("co2_text_form", S),
            ("hardware", S),
            ("truncated_json", S),
            ("anomaly", S),
            ("has_checkpoint", pa.bool_()),
            ("checkpoint_relation", S),
            ("created_at", S),
        ]
    ),
    "edges": pa.schema(
        [
            ("child_id", S),
            ("parent_id", S),
            ("relation", S),
            ("declared", pa.bool_()),
            (
                "declared_as",
                S,
            ),  # the id the card names the parent by: a pre-rename id, another letter case, or parent_id
            ("evidence", S),
            ("checkpoint_relation", S),
        ]
    ),
    "renames": pa.schema([("old_id", S), ("new_id", S)]),  # the hub redirects old_id to new_id
    "commits": pa.schema(
        [
            ("model_id", S),
            ("commit_id", S),
            ("position", pa.int32()),
            ("categories", pa.list_(S)),
            ("weights_changed", pa.bool_()),
            ("represented", S),
            ("release", S),
        ]
    ),
}


@dataclass
class ModelFacts:
    """What the truth records of a model beyond its node: how its repo came out."""

    mongo_id: str
    card_malformed: bool
    popular: bool
    has_release: bool
    commits: int
    truncated_json: str | None


class TruthWriters:
    """One streaming Parquet writer per truth table; rows are buffered and flushed in batches."""

    def __init__(self, out: Path, batch: int = 50000):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.batch = batch
        self.rows: dict[str, list[dict[str, Any]]] = {k: [] for k in SCHEMAS}
        self.writers: dict[str, pq.ParquetWriter] = {}

    def add(self, table: str, row: dict[str, Any]) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= self.batch:
            self._flush(table)

    def add_model(self, n: Node, root_id: str, facts: ModelFacts, commits: list[dict[str, Any]]) -> None:
        """Ground-truth rows for the model, its lineage edges and its commits."""
        co2 = n.co2 or {}
        self.add(
            "models",
            {
                "model_id": n.id,
                "mongo_id": facts.mongo_id,
                "author": n.author,
                "family_root": root_id,
                "depth": n.depth,
                "relation": n.relation,
                "variant": n.variant,
                "naming_convention": "".join(f"{{{s}}}" for s in n.convention),
                "license": n.license,
                "languages": n.languages,
                "pipeline_tag": n.pipeline,
                "library": n.library,
                "card_kind": n.card_kind,
                "card_malformed": facts.card_malformed,
                "autotrain": n.autotrain,
                "downloads": n.downloads,
                "likes": n.likes,
                "spaces": len(n.spaces),
                "collaborative": n.collaborative,
                "popular": facts.popular,
                "has_release": facts.has_release,
                "commits": facts.commits,
                "co2_shape": co2.get("shape"),
                "co2_grams": co2.get("grams"),
                "co2_text_form": co2.get("text_form"),
                "hardware": co2.get("hardware"),
                "truncated_json": facts.truncated_json,
                "anomaly": n.anomaly,
                "has_checkpoint": n.checkpoint is not None,
                "checkpoint_relation": n.checkpoint_relation,
                "created_at": zdate(n.created),
            },
        )
        for p in n.parents:
            declared = p in n.declared
            self.add(
                "edges",
                {
                    "child_id": n.id,
                    "parent_id": p,
                    "relation": n.relation,
                    "declared": declared,
                    "declared_as": n.declared_as.get(p, p) if declared else None,
                    "evidence": None if declared else n.evidence,
                    "checkpoint_relation": n.checkpoint_relation if n.checkpoint is not None else None,
                },
            )
        for p in n.declared:
            if p not in n.parents:  # an orphan's deleted base, a self-loop, a cycle
                self.add("edges", _declared_only(n, p))
        for row in commits:
            self.add("commits", row)

    def _flush(self, table: str) -> None:
        rows = self.rows[table]
        if not rows and table in self.writers:
            return
        if table not in self.writers:
            self.writers[table] = pq.ParquetWriter(self.out / f"{table}.parquet", SCHEMAS[table], compression="zstd")
        self.writers[table].write_table(pa.Table.from_pylist(rows, schema=SCHEMAS[table]))
        rows.clear()

    def close(self) -> None:
        for table in SCHEMAS:
            self._flush(table)
            self.writers[table].close()


def _declared_only(n: Node, p: str) -> dict[str, Any]:
    return {
        "child_id": n.id,
        "parent_id": p,
        "relation": None,
        "declared": True,
        "declared_as": p,
        "evidence": n.anomaly,
        "checkpoint_relation": None,
    }
