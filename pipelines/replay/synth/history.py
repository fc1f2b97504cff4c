"""Synthetic commit histories: messages, changed files and release tags with known categories.

Categories are those of the extended ML change taxonomy (Castaño et al.). The generator plants the
dependencies the Bayesian-network analysis should recover: popular repos start from mature baselines
(fewer foundational commits, infrastructure early), collaborative repos document more, and releases
consolidate sharing, output data and external documentation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CATEGORIES = [
    "Sharing",
    "External Documentation",
    "Project Metadata",
    "Model Structure",
    "Parameter Tuning",
    "Input Data",
    "Output Data",
    "Training Infrastructure",
    "Validation Infrastructure",
    "Pipeline Performance",
    "Internal Documentation",
    "Dependencies",
]
FOUNDATIONAL = ("Model Structure", "Input Data", "Parameter Tuning")
INFRASTRUCTURE = ("Training Infrastructure", "Validation Infrastructure")

BASE_WEIGHTS = {
    "Sharing": 0.26,
    "External Documentation": 0.16,
    "Project Metadata": 0.07,
    "Model Structure": 0.10,
    "Parameter Tuning": 0.10,
    "Input Data": 0.09,
    "Output Data": 0.04,
    "Training Infrastructure": 0.04,
    "Validation Infrastructure": 0.03,
    "Pipeline Performance": 0.03,
    "Internal Documentation": 0.03,
    "Dependencies": 0.05,
}

# Commit titles per category, and the files such a commit touches; {w} is the main weight file
CATEGORY_TITLES = {
    "Sharing": [
        "Upload {w} with huggingface_hub",
        "Upload folder using huggingface_hub",
        "Upload model",
        "Add model weights",
    ],
    "External Documentation": ["Update README.md", "Create README.md", "Add model card", "Improve model card"],
    "Project Metadata": ["Update .gitattributes", "Add LICENSE", "Update license", "Add metadata tags"],
    "Model Structure": [
        "Update config.json",
        "Change architecture settings",
        "Add custom modeling code",
        "Update rope scaling in config",
    ],
    "Parameter Tuning": [
        "Training in progress, step {n}",
        "Training in progress, epoch {e}",
        "Update hyperparameters",
        "Retrain with lower learning rate",
    ],
    "Input Data": ["Update tokenizer", "Add special tokens", "Fix chat template", "Update tokenizer_config.json"],
    "Output Data": [
        "Add evaluation results",
        "Upload predictions",
        "Update generation_config.json",
        "Add eval metrics",
    ],
    "Training Infrastructure": ["Add training script", "Update train.py", "Add accelerate config"],
    "Validation Infrastructure": ["Add evaluation script", "Add tests", "Update eval harness"],
    "Pipeline Performance": ["Add ONNX export", "Optimize inference speed", "Add int8 quantized weights"],
    "Internal Documentation": [
        "Add docstrings to modeling code",
        "Comment the training script",
        "Document preprocessing",
    ],
    "Dependencies": ["Update requirements.txt", "Bump transformers version", "Pin torch version"],
}
CATEGORY_FILES = {
    "Sharing": ["{w}", "config.json"],
    "External Documentation": ["README.md"],
    "Project Metadata": [".gitattributes", "LICENSE"],
    "Model Structure": ["config.json", "modeling_custom.py"],
    "Parameter Tuning": ["{w}", "training_args.bin", "trainer_state.json"],
    "Input Data": ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"],
    "Output Data": ["eval_results.json", "generation_config.json", "all_results.json"],
    "Training Infrastructure": ["train.py", "accelerate_config.yaml"],
    "Validation Infrastructure": ["eval.py", "tests/test_model.py"],
    "Pipeline Performance": ["model.onnx", "{w}"],
    "Internal Documentation": ["modeling_custom.py", "train.py"],
    "Dependencies": ["requirements.txt"],
}
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".onnx", ".h5", ".msgpack", ".ckpt")


@dataclass
class PlannedCommit:
    categories: list[str]
    title: str
    files: list[str]
    authors: list[str]
    release: str | None = None
    touches_weights: bool = False


def category_weights(phase: str, popular: bool, collaborative: bool) -> dict[str, float]:
    w = dict(BASE_WEIGHTS)
    if phase == "early":
        for c in FOUNDATIONAL:
            w[c] *= 0.35 if popular else 1.6
        for c in INFRASTRUCTURE:
            w[c] *= 3.0 if popular else 0.7
    if collaborative:
        w["External Documentation"] *= 2.4
        w["Internal Documentation"] *= 3.0
    return w


def plan_commits(
    rng: random.Random,
    *,
    weight_file: str,
    owner: str,
    team: list[str],
    popular: bool,
    collaborative: bool,
    has_release: bool,
    extra_commits: int,
) -> list[PlannedCommit]:
    """Commits after the initial one; the first always shares the model (weights + card)."""
    plan = [
        PlannedCommit(
            ["Sharing", "External Documentation"],
            "Upload folder using huggingface_hub",
            [weight_file, "config.json", "README.md"],
            [owner],
        )
    ]
    n = extra_commits
    release_at = rng.randrange(n) if has_release and n else None
    for i in range(n):
        phase = "early" if i < max(1, n // 3) else ("late" if i >= 2 * n // 3 else "middle")
        weights = category_weights(phase, popular, collaborative)
        if release_at is not None and i == release_at:
            cats = ["Sharing", "Output Data"] + (["External Documentation"] if rng.random() < 0.7 else [])
        else:
            cats = rng.choices(list(weights), list(weights.values()))
            if rng.random() < 0.25:
                second = rng.choices(list(weights), list(weights.values()))[0]
                if second not in cats:
                    cats.append(second)
        titles: list[str] = []
        files: list[str] = []
        for c in cats:
            msgs, fs = CATEGORY_TITLES[c], CATEGORY_FILES[c]
            titles.append(rng.choice(msgs))
            files.extend(f for f in fs if rng.random() < 0.8 or f == fs[0])
        title = titles[0].format(w=weight_file, n=rng.randint(1, 40) * 500, e=rng.randint(1, 5))
        files = sorted({f.format(w=weight_file) for f in files})
        authors = [owner]
        if collaborative and team and rng.random() < 0.6:
            authors = [rng.choice(team)] + ([owner] if rng.random() < 0.3 else [])
        pc = PlannedCommit(cats, title, files, authors)
        if release_at is not None and i == release_at:
            pc.release = f"v{rng.randint(1, 3)}.{rng.randint(0, 4)}"
        plan.append(pc)
    for pc in plan:
        pc.touches_weights = any(f.endswith(WEIGHT_SUFFIXES) for f in pc.files)
    return plan


BODIES = [
    "Signed-off-by: {a}",
    "Co-authored-by: {a} <{a}@users.noreply.huggingface.co>",
    "See discussion #{n}",
    "Requested in the community tab",
    "Follow-up to the previous commit",
    "Automatic commit from a notebook",
]


def commit_message(rng: random.Random, pc: PlannedCommit) -> str:
    """Most hub commits carry only a title; a minority add a body that says little about the change."""
    if rng.random() < 0.6:
        return ""
    return "\n" + rng.choice(BODIES).format(a=pc.authors[0], n=rng.randint(1, 60))
