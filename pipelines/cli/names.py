"""`hubmine names`: classify model names that were never crawled."""

from __future__ import annotations

import csv
import sys

from analyses.naming import classify_names
from pipelines.cli.options import read_text, verb


def cmd_names(args) -> int:
    ids = (line.strip() for line in read_text(args.file).splitlines())
    rows = classify_names(i for i in ids if i and not i.startswith("#"))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(("model_id", "variant", "naming_convention"))
    out.writerows(rows)
    return 0


def register(sub) -> None:
    n = verb(
        sub,
        "names",
        "Read model ids, one a line (FILE, or - for stdin), and print CSV "
        "model_id,variant,naming_convention using the name alone: useful for lists that "
        "were never crawled. Variants: finetuned, quantized, adapter, merged, distilled, "
        "compressed, deduplicated, base, other.",
        cmd_names,
    )
    n.add_argument("file", help='file of model ids, or "-" for stdin')
