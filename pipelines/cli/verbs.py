"""The verbs `hubmine --help` lists, in its order, with their one-line help; verb `x` lives in pipelines/cli/x.py.

Kept apart from the verb modules so that the top-level parser lists every verb without importing any of them: a
verb's module imports what it needs (dagster, torch) at its top, and is imported only when that verb runs.
"""

from __future__ import annotations

VERBS: dict[str, str] = {
    "demo": "serve the real sample plus a small synthetic hub on loopback, crawl both",
    "crawl": "crawl a hub into the warehouse (incremental, resumable)",
    "sql": "run read-only SQL against the warehouse",
    "analyze": "run the analyses over the warehouse (families, licenses, drift, ...)",
    "family": "ancestors, descendants and license findings of one model",
    "dashboards": "render the dashboard site from the warehouse",
    "serve": "browse the warehouse: model pages, families, licenses, JSON API",
    "names": "classify model names (variant, naming convention) as CSV",
    "bn": "query the Bayesian network of model change",
    "card": "print what hubmine extracts from one model card (JSON)",
    "weights": "check lineage from the weights (safetensors only)",
    "bom": "bill of materials of one model (CycloneDX 1.6 ML-BOM or SPDX 3.0 AI)",
    "changes": "what changed upstream between two crawls, and the descendants it affects",
    "hub": "the offline replay hub: serve snapshots, generate synthetic hubs",
}
