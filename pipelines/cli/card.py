"""`hubmine card FILE|-`: what hubmine extracts from one model card, as JSON."""

from __future__ import annotations

import json
import sys

from analyses.card_facts import card_facts
from pipelines.cli.options import read_text, verb


def cmd_card(args) -> int:
    json.dump(card_facts(read_text(args.file), args.model_id), sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


def register(sub) -> None:
    c = verb(
        sub,
        "card",
        "Parse one model card (README.md with YAML front matter; FILE or - for stdin) and "
        "print, as JSON, the license (raw, SPDX, category), base models and relation, "
        "languages, datasets, CO2 facts in grams, hardware, and card features (sections, "
        "template and auto-generated flags). Malformed YAML is reported, not fatal.",
        cmd_card,
    )
    c.add_argument("file", help='the card, or "-" for stdin')
    c.add_argument("--model-id", default="card", help="repo id to report problems under (default: card)")
