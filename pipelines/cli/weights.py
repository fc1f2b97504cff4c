"""`hubmine weights diff|merge|check`: lineage judged from the weights themselves."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analyses.weights.diff import check_device, diff
from analyses.weights.merge import fit_merge
from analyses.weights.reader import LocalCheckpoint
from analyses.weights.remote import open_remote, probe, repo_files
from analyses.weights.verdict import judge
from pipelines import config
from pipelines.cli.options import command, default_option, endpoint_option, verb_group
from pipelines.crawl.client import HubClient
from pipelines.resources import HubResource
from pipelines.runner import materialize_weights
from warehouse.paths import data_dir, warehouse_path
from warehouse.query import format_rows, run_query

PATH_HINT = "a local path must exist; repo ids look like org/name"
SUMMARY_SQL = Path(__file__).resolve().parents[2] / "warehouse" / "sql" / "reports" / "weight_check_summary.sql"


def _looks_like_path(ref: str) -> bool:
    return (
        ref.endswith(".safetensors")
        or ref.startswith(("/", "./", "../", "~"))
        or ref.count("/") > 1
        or ref in (".", "..")
    )


def _open(ref: str, client_for, full: bool):
    """A checkpoint from a local path (memory-mapped) or a hub repo id (read by byte ranges)."""
    p = Path(ref).expanduser()
    if p.exists():
        return LocalCheckpoint(p)
    if _looks_like_path(ref):
        raise FileNotFoundError(f"{ref}: no such file or directory ({PATH_HINT})")
    client = client_for()
    sha, files = repo_files(client, ref)
    return open_remote(client, ref, sha, files, budget=(1 << 62) if full else None)


def _client_factory(endpoint: str | None):
    made: list = []

    def get():
        if not made:
            made.append(HubClient(endpoint, max_retries=2))
            probe(made[0])
        return made[0]

    return get


def _dump(out: dict) -> None:
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


def cmd_weights_diff(args) -> int:
    device = check_device(args.device)
    client = _client_factory(args.endpoint)
    a, b = _open(args.a, client, args.full), _open(args.b, client, args.full)
    d = diff(a, b, device=device)
    v = judge(d)
    out = {
        "a": args.a,
        "b": args.b,
        "relation": v.relation,
        "confidence": v.confidence,
        "direction": v.direction,
        "summary": v.summary,
        "device": d.device,
        "bytes_read": d.bytes_read,
        "unmatched": {
            "only_in_a": d.only_in_a,
            "only_in_b": d.only_in_b,
            "shape_mismatch": d.shape_mismatch,
            "rows_changed": d.rows_changed,
        },
    }
    if not args.summary_only:
        out["tensors"] = d.as_dict()["tensors"]
    _dump(out)
    return 0


def cmd_weights_merge(args) -> int:
    device = check_device(args.device)
    client = _client_factory(args.endpoint)
    child = _open(args.child, client, args.full)
    parents = [_open(p, client, args.full) for p in args.parents]
    fit = fit_merge(child, parents, labels=list(args.parents), device=device)
    _dump({"child": args.child, "parents": list(args.parents), **fit.as_dict()})
    return 0


def cmd_weights_check(args) -> int:
    hub = HubResource(endpoint=args.endpoint)
    result = materialize_weights(data_dir(), hub, args.budget_gb, args.max_pairs)
    cols, rows = run_query(warehouse_path(data_dir()), SUMMARY_SQL.read_text())
    sys.stdout.write(format_rows(cols, rows, "table"))
    return _check_exit(result)


def _check_exit(result) -> int:
    """0 when pairs were checked, 1 when none could be (their reasons are in weight_check_errors)."""
    meta = {}
    for ev in result.get_asset_materialization_events():
        if ev.asset_key.path[-1] == "weight_diffs":
            meta = ev.materialization.metadata
    checked = meta["checked"].value if "checked" in meta else 0
    failed = meta["failed"].value if "failed" in meta else 0
    if failed and not checked:
        reason = meta["first_error"].value if "first_error" in meta else "see weight_check_errors"
        print(
            f"hubmine: error: no pair could be checked ({failed} quarantined in weight_check_errors; earlier "
            f"verdicts kept): {reason}",
            file=sys.stderr,
        )
        return 1
    return 0


def register(sub) -> None:
    ws = verb_group(sub, "weights", "Weight-based lineage checks. Only .safetensors files are ever read.")
    d = command(
        ws,
        "diff",
        "how checkpoint B relates to checkpoint A (JSON)",
        "Compare B with A tensor by tensor and print JSON with `relation` (identical, "
        "cast, quantized, adapter-merge, finetune, unrelated), `confidence`, `direction` "
        "(only when the weights show one, else null), a summary and per-tensor details. A "
        "and B are local .safetensors files or folders (memory-mapped), or hub repo ids "
        "(read by byte ranges from --endpoint / $HF_ENDPOINT: headers, then a sample of "
        "rows of each matrix).",
        cmd_weights_diff,
    )
    d.add_argument("a", help="the declared base: path or repo id")
    d.add_argument("b", help="the derivative: path or repo id")
    merge = command(
        ws,
        "merge",
        "least-squares merge coefficients of CHILD over its PARENTs (JSON)",
        "Fit CHILD as a weighted sum of the PARENTs over every aligned matrix and "
        "print JSON with `relation` (merge or single-parent), `coefficients` per parent "
        "and the `residual` (the joint fit's residual over the best single parent's). "
        "Soups, task arithmetic (give the base as a parent too) and TIES/DARE merges "
        "show as merge.",
        cmd_weights_merge,
    )
    merge.add_argument("child", help="the merged model: path or repo id")
    merge.add_argument("parents", nargs="+", metavar="PARENT", help="two or more parents: paths or repo ids")
    for p in (d, merge):
        endpoint_option(p)
        p.add_argument("--device", choices=["cpu", "cuda"], help="where to compute (default: cuda when available)")
        p.add_argument("--full", action="store_true", help="read repo ids in full instead of a row sample")
    d.add_argument("--summary-only", action="store_true", help="leave out the per-tensor details")
    c = command(
        ws,
        "check",
        "check a budgeted sample of declared lineage from the weights",
        "Sample parent-child pairs of the latest crawl (stratified by relation and family, "
        "within --budget-gb), read their safetensors by byte ranges at the crawled sha, and "
        "write verdicts to weight_diffs, fingerprints to weight_fingerprints and undeclared "
        "relatives to weight_matches. Pairs that cannot be read go to weight_check_errors; "
        "earlier verdicts are never replaced by failures. Exits 1 when no pair could be "
        "checked.",
        cmd_weights_check,
    )
    endpoint_option(c)
    default_option(c, "--budget-gb", config.WEIGHTS_BUDGET_GB, "checkpoint bytes to read at most, in GB")
    default_option(c, "--max-pairs", config.WEIGHTS_MAX_PAIRS, "pairs to check at most")
