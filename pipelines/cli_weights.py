"""`hubmine weights diff A B`: does B derive from A, judged from the weights themselves."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelines.cli_common import home


def _resolve(ref: str, endpoint: str | None) -> Path:
    p = Path(ref)
    if p.exists():
        return p
    from analyses.weights.fetch import fetch_checkpoint
    from pipelines.crawl.client import default_endpoint
    from warehouse.paths import data_dir

    return fetch_checkpoint(ref, (endpoint or default_endpoint()).rstrip("/"), data_dir() / "checkpoints")


def cmd_weights_diff(args) -> int:
    from analyses.weights.diff import diff_checkpoints
    from analyses.weights.verdict import judge

    a, b = _resolve(args.a, args.endpoint), _resolve(args.b, args.endpoint)
    diff = diff_checkpoints(a, b, device=args.device)
    v = judge(diff)
    out = {"a": args.a, "b": args.b, "relation": v.relation, "confidence": v.confidence, "direction": v.direction,
           "summary": v.summary, "device": diff.device, "bytes_read": diff.bytes_read,
           "unmatched": {"only_in_a": diff.only_in_a, "only_in_b": diff.only_in_b,
                         "shape_mismatch": diff.shape_mismatch}}
    if not args.summary_only:
        out["tensors"] = diff.as_dict()["tensors"]
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_weights_check(args) -> int:
    from pipelines.crawl.client import default_endpoint
    from pipelines.resources import HubResource
    from pipelines.runner import materialize_weights
    from warehouse.paths import warehouse_path
    from warehouse.query import run_query

    hub = HubResource(endpoint=(args.endpoint or default_endpoint()).rstrip("/"))
    materialize_weights(home(), hub, args.budget_gb, args.max_pairs)
    cols, rows = run_query(warehouse_path(home()), """
        SELECT coalesce(declared_relation, 'undeclared') AS declared, relation, count(*) AS pairs,
               count(*) FILTER (WHERE agrees) AS agree, list(DISTINCT f) FILTER (WHERE f IS NOT NULL) AS flags
        FROM weight_diffs LEFT JOIN unnest(flags) AS t(f) ON true
        WHERE crawl_id = (SELECT crawl_id FROM crawls ORDER BY finished_at DESC LIMIT 1)
        GROUP BY ALL ORDER BY ALL""")
    from warehouse.query import format_rows

    sys.stdout.write(format_rows(cols, rows, "table"))
    return 0


def register(sub) -> None:
    w = sub.add_parser("weights", help="check lineage from the weights (safetensors only)",
                       description="Weight-based lineage checks. Only .safetensors files are ever read.")
    ws = w.add_subparsers(dest="weights_command", metavar="WEIGHTS_COMMAND")
    d = ws.add_parser("diff", help="how checkpoint B relates to checkpoint A (JSON)",
                      description="Stream both checkpoints tensor by tensor and print JSON with `relation` (identical, "
                                  "quantized, adapter-merge, finetune, merge, unrelated), `confidence`, a summary and "
                                  "per-tensor details. A and B are local .safetensors files or directories, or hub repo "
                                  "ids (downloaded from --endpoint / $HF_ENDPOINT into <data>/checkpoints).")
    d.add_argument("a", help="the declared base: path or repo id")
    d.add_argument("b", help="the derivative: path or repo id")
    d.add_argument("--endpoint", help="hub URL for repo ids (default: $HF_ENDPOINT or https://huggingface.co)")
    d.add_argument("--device", choices=["cpu", "cuda"], help="where to compute (default: cuda when available)")
    d.add_argument("--summary-only", action="store_true", help="leave out the per-tensor details")
    d.set_defaults(func=cmd_weights_diff)
    c = ws.add_parser("check", help="check a budgeted sample of declared lineage from the weights",
                      description="Sample parent-child pairs of the warehouse (stratified by relation and family, "
                                  "within --budget-gb), download their safetensors from the hub and write the verdicts "
                                  "to weight_diffs (with weight_sample).")
    c.add_argument("--endpoint", help="hub URL (default: $HF_ENDPOINT or https://huggingface.co)")
    c.add_argument("--budget-gb", type=float, default=2.0, help="checkpoint bytes to download (default 2)")
    c.add_argument("--max-pairs", type=int, default=200, help="pairs to check at most (default 200)")
    c.set_defaults(func=cmd_weights_check)
