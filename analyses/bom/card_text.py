"""What a card says about intended use, limitations, risks and evaluation, for a BOM's model card."""

from __future__ import annotations

import re

from analyses.cards import HEADING, TEMPLATE_MARKERS, split_front_matter

SECTIONS = {
    "useCases": re.compile(r"intended use|^uses?$|direct use|downstream use|how to use", re.I),
    "technicalLimitations": re.compile(r"limitation", re.I),
    "ethicalConsiderations": re.compile(r"bias|risk|ethic|safety", re.I),
}
MAX_CHARS = 1200
PLACEHOLDER = re.compile(r"\[more information needed\]|\{\{.*?\}\}|<!--.*?-->", re.I | re.S)


def considerations(body: str | None) -> dict[str, list[str]]:
    """{considerations field: [section text]} from the card's headed sections (template placeholders left out)."""
    if not body:
        return {}
    _, text = split_front_matter(body)
    heads = list(HEADING.finditer(text))
    out: dict[str, list[str]] = {}
    for i, h in enumerate(heads):
        end = next((n.start() for n in heads[i + 1:] if len(n.group(1)) <= len(h.group(1))), len(text))
        content = _clean(text[h.end():end])
        for name, pattern in SECTIONS.items():
            if content and pattern.search(h.group(2).strip()):
                out.setdefault(name, []).append(content)
                break
    return out


def _clean(text: str) -> str:
    text = PLACEHOLDER.sub("", text)
    for marker in TEMPLATE_MARKERS:
        text = text.replace(marker, "")
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS].rsplit(" ", 1)[0] + " …"


def metrics(card_data: dict) -> list[dict]:
    """CycloneDX performance metrics from the card's model-index: type, value and the task/dataset slice."""
    out = []
    for entry in _list(card_data.get("model-index")):
        for result in _list(entry.get("results") if isinstance(entry, dict) else None):
            if not isinstance(result, dict):
                continue
            where = _slice(result)
            for m in _list(result.get("metrics")):
                if isinstance(m, dict) and m.get("value") is not None and (m.get("type") or m.get("name")):
                    item = {"type": str(m.get("name") or m.get("type")), "value": str(m["value"])}
                    if where:
                        item["slice"] = where
                    out.append(item)
    return out


def _slice(result: dict) -> str:
    task = result.get("task")
    data = result.get("dataset")
    task = task if isinstance(task, dict) else {}
    data = data if isinstance(data, dict) else {}
    parts = [str(data.get("name") or data.get("type") or ""), str(data.get("split") or ""),
             str(task.get("type") or "")]
    return " / ".join(p for p in parts if p)


def _list(value) -> list:
    return value if isinstance(value, list) else []
