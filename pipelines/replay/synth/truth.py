"""Ground truth of a synthetic hub, streamed to Parquet beside the snapshot (truth/*.parquet)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

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


class TruthWriters:
    """One streaming Parquet writer per truth table; rows are buffered and flushed in batches."""

    def __init__(self, out: Path, batch: int = 50000):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.batch = batch
        self.rows: dict[str, list[dict]] = {k: [] for k in SCHEMAS}
        self.writers: dict[str, pq.ParquetWriter] = {}

    def add(self, table: str, row: dict) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= self.batch:
            self._flush(table)

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
