"""Check sampled lineage pairs of a crawl from the weights, read by byte ranges at the crawled sha.

Each model is read once per run (headers, then sampled row blocks) and kept while pairs need it. A pair that
cannot be read or judged is quarantined with its reason; a declared merge is judged against all of its
declared parents at once. Every model read also yields a fingerprint.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from analyses.weights.diff import diff
from analyses.weights.fingerprint import Fingerprint, fingerprint
from analyses.weights.merge import fit_merge
from analyses.weights.reader import Checkpoint
from analyses.weights.remote import open_remote
from analyses.weights.sample import accepts, flags
from analyses.weights.verdict import judge
from pipelines.errors import EndpointUnreachable

KEEP_MODELS = 8  # sampled checkpoints kept in memory at once (pairs are ordered so parents repeat)


@dataclass
class Model:
    model_id: str
    sha: str
    files: list[str]


@dataclass
class CheckRun:
    """What one run produced: verdict rows, quarantined pairs, fingerprints, bytes read per model."""

    diffs: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
    bytes_read: dict[str, int] = field(default_factory=dict)
    total_bytes: dict[str, int] = field(default_factory=dict)


class Reader:
    """Sampled checkpoints by model id, read through the hub client at the crawled sha; an LRU of a few."""

    def __init__(self, client, models: dict[str, Model], run: CheckRun, budget: int | None = None):
        self.client, self.models, self.run, self.budget = client, models, run, budget
        self.cache: OrderedDict[str, Checkpoint] = OrderedDict()
        self.failed: dict[str, str] = {}

    def get(self, model_id: str) -> Checkpoint:
        if model_id in self.failed:
            raise LookupError(self.failed[model_id])
        if model_id in self.cache:
            self.cache.move_to_end(model_id)
            return self.cache[model_id]
        m = self.models[model_id]
        try:
            ck = open_remote(self.client, m.model_id, m.sha, m.files, self.budget)
        except EndpointUnreachable:
            raise
        except Exception as e:  # noqa: BLE001 - the reason is quarantined with every pair that needs this model
            self.failed[model_id] = f"{model_id}: {type(e).__name__}: {e}"[:500]
            raise LookupError(self.failed[model_id]) from None
        self.run.bytes_read[model_id] = ck.bytes_read
        self.run.total_bytes[model_id] = ck.total_bytes
        self.run.fingerprints[model_id] = fingerprint(model_id, ck)
        self.cache[model_id] = ck
        while len(self.cache) > KEEP_MODELS:
            self.cache.popitem(last=False)
        return ck


def _verdict_row(
    pair: dict,
    relation: str,
    confidence: float,
    direction,
    summary: dict,
    read: int,
    t0: float,
    device: str,
    evidence: dict,
) -> dict:
    declared = bool(pair["declared"])
    return {
        "child_id": pair["child_id"],
        "parent_id": pair["parent_id"],
        "declared_relation": pair["declared_relation"],
        "relation": relation,
        "confidence": confidence,
        "direction": direction,
        "agrees": accepts(pair["declared_relation"], relation) if declared else None,
        "flags": flags(pair["declared_relation"], declared, relation),
        "rel_l2": summary.get("rel_l2"),
        "cosine": summary.get("cosine"),
        "changed_share": (summary.get("changed_matrices", 0) / max(1, summary.get("matrices", 0))),
        "tensors": summary.get("matrices"),
        "unmatched": summary.get("only_in_a", 0) + summary.get("only_in_b", 0) + summary.get("shape_mismatch", 0),
        "bytes_read": read,
        "device": device,
        "seconds": time.monotonic() - t0,
        "evidence": json.dumps(evidence, sort_keys=True, default=str),
    }


def _pair(reader: Reader, pair: dict, device: str) -> dict:
    t0 = time.monotonic()
    a, b = reader.get(pair["parent_id"]), reader.get(pair["child_id"])
    d = diff(a, b, device=device)
    v = judge(d)
    return _verdict_row(
        pair,
        v.relation,
        v.confidence,
        v.direction,
        v.summary,
        a.bytes_read + b.bytes_read,
        t0,
        d.device,
        {
            "unaligned": v.summary.get("unaligned"),
            "rows_changed": d.rows_changed,
            "delta_rank_share": v.summary.get("delta_rank_share"),
        },
    )


def _merge(reader: Reader, pairs: list[dict], device: str) -> list[dict]:
    """A declared merge judged against all its declared parents: one least-squares fit, one row per parent."""
    t0 = time.monotonic()
    child = reader.get(pairs[0]["child_id"])
    parents = [reader.get(p["parent_id"]) for p in pairs]
    fit = fit_merge(child, parents, labels=[p["parent_id"] for p in pairs], device=device)
    read = child.bytes_read + sum(p.bytes_read for p in parents)
    summary = {"matrices": fit.matrices, "rel_l2": fit.residual_share**0.5}
    confidence = round(max(0.5, min(1.0, 1.0 - fit.residual)), 3)
    return [
        _verdict_row(
            p,
            fit.relation if fit.relation == "merge" else "finetune",
            confidence,
            None,
            summary,
            read,
            t0,
            device,
            {
                "coefficients": fit.coefficients,
                "residual": fit.residual,
                "single_residual_share": fit.single_residual_share,
            },
        )
        for p in pairs
    ]


def check_pairs(
    client,
    pairs: list[dict],
    models: dict[str, Model],
    device: str,
    budget: int | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> CheckRun:
    """Verdicts for the sampled pairs (dicts with child_id, parent_id, declared_relation, declared)."""
    run = CheckRun()
    reader = Reader(client, models, run, budget)
    groups: dict[tuple, list[dict]] = {}
    for p in pairs:
        merge = p["declared_relation"] == "merge" and p["declared"]
        groups.setdefault((p["child_id"], "merge") if merge else (p["child_id"], p["parent_id"]), []).append(p)
    for i, (key, group) in enumerate(sorted(groups.items(), key=lambda kv: (kv[1][0]["parent_id"], kv[0])), 1):
        try:
            if key[1] == "merge" and len(group) >= 2:
                run.diffs.extend(_merge(reader, group, device))
            else:
                run.diffs.extend(_pair(reader, p, device) for p in group)
            log(f"weights {i}/{len(groups)}: {group[0]['child_id']}: {run.diffs[-1]['relation']}")
        except EndpointUnreachable as e:
            run.errors.extend(_errors(pairs, str(e), done=run))
            log(f"weights: {e}")
            break
        except Exception as e:  # noqa: BLE001 - quarantined with its reason; the other pairs go on
            reason = str(e) if isinstance(e, LookupError) else f"{type(e).__name__}: {e}"
            run.errors.extend(
                {"child_id": p["child_id"], "parent_id": p["parent_id"], "error": reason[:500]} for p in group
            )
            log(f"weights {i}/{len(groups)}: {group[0]['child_id']}: quarantined ({reason[:120]})")
    return run


def _errors(pairs: list[dict], reason: str, done: CheckRun) -> list[dict]:
    finished = {(r["child_id"], r["parent_id"]) for r in done.diffs} | {
        (r["child_id"], r["parent_id"]) for r in done.errors
    }
    return [
        {"child_id": p["child_id"], "parent_id": p["parent_id"], "error": reason[:500]}
        for p in pairs
        if (p["child_id"], p["parent_id"]) not in finished
    ]


def fingerprint_models(
    client, model_ids: list[str], models: dict[str, Model], run: CheckRun, budget: int | None = None
) -> None:
    """Fingerprints of models no pair needed (undeclared candidates); failures are left out quietly."""
    reader = Reader(client, models, run, budget)
    for m in model_ids:
        if m not in run.fingerprints:
            try:
                reader.get(m)
            except LookupError:
                continue
