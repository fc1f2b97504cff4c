"""Weight-diff checks of declared lineage: safe header validation, streamed per-tensor diffs, verdicts."""
