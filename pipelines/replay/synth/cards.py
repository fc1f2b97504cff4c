"""Synthetic model cards: hand-written, template-based and auto-generated (Trainer, AutoTrain).

Card kinds and lengths follow the Anatomy study's drift (parents ~9.8k characters, children ~4.4k; the
share of auto-generated cards rises from ~5% to ~50% along finetune edges). A small share of cards has
malformed YAML front matter, as real cards do.
"""

from __future__ import annotations

import random
from typing import Any

import yaml

from pipelines.replay.synth.node import Node

LOREM = (
    "This model is intended for research on {task} and related applications. It was evaluated on "
    "held-out data and compared against strong baselines. Users should validate it on their own data "
    "before deployment, since performance varies across domains and languages. "
)

TEMPLATE_SECTIONS = [
    "Model Details",
    "Model Description",
    "Uses",
    "Direct Use",
    "Out-of-Scope Use",
    "Bias, Risks, and Limitations",
    "Recommendations",
    "How to Get Started with the Model",
    "Training Details",
    "Training Data",
    "Training Procedure",
    "Evaluation",
    "Results",
    "Environmental Impact",
    "Technical Specifications",
    "Citation",
    "Model Card Contact",
]
HANDWRITTEN_SECTIONS = [
    "Overview",
    "Intended uses & limitations",
    "Training data",
    "Training procedure",
    "Evaluation results",
    "Usage",
    "Limitations and bias",
    "License",
    "Citation",
    "Acknowledgements",
    "Changelog",
]


def readme(rng: random.Random, n: Node, meta: dict[str, Any]) -> tuple[bytes | None, bool]:
    """The README bytes (None for a repo without a card) and whether its front matter is malformed."""
    malformed = rng.random() < 0.006 and n.card_kind != "none"
    version_note = n.card_kind == "handwritten" and rng.random() < 0.2
    if n.card_kind == "none":
        return None, malformed
    parent_for_text = n.parents[0] if n.parents and n.evidence != "weights" else None
    fm = malformed_front_matter(meta, rng) if malformed else front_matter(meta)
    body = card_body(
        rng,
        n.card_kind,
        model_id=n.id,
        parent=parent_for_text,
        task=n.pipeline or "machine learning",
        target_chars=int(n.card_chars * (1.5 if n.collaborative else 1)),
        co2=n.co2,
        datasets=n.datasets,
        version_note=version_note,
    )
    return (fm + "\n" + body).encode(), malformed


def front_matter(meta: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def malformed_front_matter(meta: dict[str, Any], rng: random.Random) -> str:
    """YAML a parser rejects, in the ways real cards break it."""
    good = yaml.safe_dump(meta, sort_keys=False, width=1000).splitlines()
    kind = rng.randrange(3)
    if kind == 0:  # unclosed flow sequence
        good.insert(0, "tags: [broken, list")
    elif kind == 1:  # tab indentation
        good.insert(1, "\tlanguage: en")
    else:  # bad mapping
        good.insert(0, "license: apache-2.0: extra")
    return "---\n" + "\n".join(good) + "\n---\n"


def _paragraphs(rng: random.Random, target_chars: int, task: str) -> str:
    out: list[str] = []
    total = 0
    while total < target_chars:
        p = LOREM.format(task=task) * rng.randint(1, 3)
        out.append(p.strip())
        total += len(p)
    return "\n\n".join(out)


def card_body(
    rng: random.Random,
    kind: str,
    *,
    model_id: str,
    parent: str | None,
    task: str,
    target_chars: int,
    co2: dict[str, Any] | None,
    datasets: list[str],
    version_note: bool,
) -> str:
    """The Markdown after the front matter, in the style of one of the hub's card kinds."""
    name = model_id.split("/")[-1]
    if kind == "autotrain":
        return _autotrain_card(rng, model_id, task, co2)
    if kind == "trainer":
        return _trainer_card(rng, name, parent, datasets)
    if kind == "template":
        return _template_card(rng, name, parent, task, target_chars, co2)
    return _handwritten_card(rng, model_id, task, target_chars, co2, version_note)


def _co2_lines(co2: dict[str, Any]) -> list[str]:
    return [
        f"- **Hardware Type:** {co2['hardware']}",
        f"- **Hours used:** {co2['hours']}",
        f"- **Cloud Provider:** {co2['cloud']}",
        f"- **Compute Region:** {co2['region']}",
        f"- **Carbon Emitted:** {co2['text_value']}",
        "",
    ]


def _autotrain_card(rng: random.Random, model_id: str, task: str, co2: dict[str, Any] | None) -> str:
    lines = [
        "# Model Trained Using AutoTrain",
        "",
        f"- Problem type: {task.replace('-', ' ').title()}",
        f"- Model ID: {rng.randint(10**7, 10**8)}",
    ]
    if co2 is not None and co2.get("text_form") == "autotrain":
        lines.append(f"- CO2 Emissions (in grams): {co2['text_value']}")
    lines += [
        "",
        "## Validation Metrics",
        "",
        f"- Loss: {rng.random():.3f}",
        f"- Accuracy: {rng.uniform(0.6, 0.99):.3f}",
        "",
        "## Usage",
        "",
        "```python",
        "from transformers import AutoModel",
        f'model = AutoModel.from_pretrained("{model_id}")',
        "```",
    ]
    return "\n".join(lines) + "\n"


def _trainer_card(rng: random.Random, name: str, parent: str | None, datasets: list[str]) -> str:
    base = f"[{parent}](https://huggingface.co/{parent})" if parent else "an unknown model"
    ds = datasets[0] if datasets else "None"
    todo = "More information needed"
    lines = [
        "<!-- This model card has been generated automatically according to the information the Trainer had "
        "access to. You",
        "should probably proofread and complete it, then remove this comment. -->",
        "",
        f"# {name}",
        "",
        f"This model is a fine-tuned version of {base} on the {ds} dataset.",
        "It achieves the following results on the evaluation set:",
        f"- Loss: {rng.random():.4f}",
        "",
        "## Model description",
        "",
        todo,
        "",
        "## Intended uses & limitations",
        "",
        todo,
        "",
        "## Training and evaluation data",
        "",
        todo,
        "",
        "## Training procedure",
        "",
        "### Training hyperparameters",
        "",
        f"- learning_rate: {rng.choice(['2e-05', '5e-05', '0.0002', '1e-04'])}",
        f"- train_batch_size: {rng.choice([8, 16, 32])}",
        f"- num_epochs: {rng.randint(1, 5)}",
        "",
        "### Framework versions",
        "",
        f"- Transformers {rng.choice(['4.36.2', '4.40.1', '4.44.0', '4.46.3'])}",
        "- Pytorch 2.1.0",
        "- Datasets 2.16.1",
        "- Tokenizers 0.15.0",
    ]
    return "\n".join(lines) + "\n"


def _template_card(
    rng: random.Random, name: str, parent: str | None, task: str, target_chars: int, co2: dict[str, Any] | None
) -> str:
    lines = ["# Model Card for " + name, "", "<!-- Provide a quick summary of what the model is/does. -->", ""]
    for sec in TEMPLATE_SECTIONS:
        lines += [f"## {sec}", ""]
        if sec == "Environmental Impact" and co2 is not None and co2.get("text_form") == "template":
            lines += _co2_lines(co2)
        elif sec == "Model Description" and parent:
            lines += [f"- **Finetuned from model:** {parent}", "", "[More Information Needed]", ""]
        else:
            lines += ["[More Information Needed]", ""]
    body = "\n".join(lines)
    if len(body) < target_chars:
        body += "\n" + _paragraphs(rng, target_chars - len(body), task) + "\n"
    return body


def _handwritten_card(
    rng: random.Random, model_id: str, task: str, target_chars: int, co2: dict[str, Any] | None, version_note: bool
) -> str:
    lines = [f"# {model_id.split('/')[-1]}", "", _paragraphs(rng, max(200, target_chars // 4), task), ""]
    sections = rng.sample(HANDWRITTEN_SECTIONS[:-1], rng.randint(3, len(HANDWRITTEN_SECTIONS) - 1))
    if version_note:
        sections.append("Changelog")
    per = max(150, (target_chars - len(lines[2])) // max(1, len(sections)))
    for sec in sections:
        lines += [f"## {sec}", ""]
        if sec == "Changelog":
            lines += [f"- {rng.choice(['v1.1', 'v2.0', 'v1.0.1'])}: updated weights after further training", ""]
        elif sec == "Usage":
            lines += [
                "```python",
                "from transformers import pipeline",
                f'pipe = pipeline("{task}", model="{model_id}")',
                "```",
                "",
            ]
        else:
            lines += [_paragraphs(rng, per, task), ""]
    if co2 is not None and co2.get("text_form") == "template":
        lines += ["## Environmental Impact", "", *_co2_lines(co2)]
    return "\n".join(lines)
