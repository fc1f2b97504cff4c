"""Generated hostile cards and API records: nothing crashes, every bad one is quarantined with a reason.
`make test` draws 1,000 cards and 1,000 records (each hostile shape over a hundred times); `make test-slow` draws
5,000 of each (10,000 inputs)."""

from __future__ import annotations

import random
import string

import pytest

from pipelines.crawl.records import LISTING_TABLES, Rows, model_rows
from pipelines.crawl.repo_data import card_rows as _card
from pipelines.crawl.repos import REPO_TABLES

SIZES = [1_000, pytest.param(5_000, marks=pytest.mark.slow)]  # inputs of each kind drawn: make test, make test-slow
UNICODE = ["\u202e", "\u200b", "\ufeff", "\U0001f600", "\u0000", "é", "\ud7ff", "ℌ", "\u2028"]


def hostile_card(rng: random.Random) -> tuple[bytes, bool]:
    """(card bytes, whether its metadata is malformed)."""
    kind = rng.randrange(8)
    if kind == 0:  # invalid YAML
        return b"---\nlicense: [apache-2.0\nbase_model: {a: \n---\n# x\n", True
    if kind == 1:  # deep nesting
        d = rng.randint(2000, 6000)
        return ("---\na: " + "[" * d + "]" * d + "\n---\n").encode(), True
    if kind == 2:  # alias bomb
        lines, prev = ["a: &a [" + ",".join(['"x"'] * 9) + "]"], "a"
        for n in "bcdefghij":
            lines.append(f"{n}: &{n} [" + ",".join([f"*{prev}"] * 9) + "]")
            prev = n
        return ("---\n" + "\n".join(lines) + "\n---\n").encode(), True
    if kind == 3:  # binary
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(10, 400))), False
    if kind == 4:  # huge field
        return ("---\nlicense: " + "x" * rng.randint(100_000, 300_000) + "\n---\nbody\n").encode(), False
    if kind == 5:  # odd unicode everywhere
        s = "".join(rng.choice(UNICODE + list(string.ascii_letters)) for _ in range(200))
        card = f"---\nlicense: {s[:20]!r}\nlanguage: [{s[20:30]!r}]\n---\n# {s}\n"
        return card.encode("utf-8", "surrogatepass"), False
    if kind == 6:  # metadata that is not a mapping
        return b"---\n- just\n- a list\n---\n", True
    return (
        "---\nco2_eq_emissions: "
        + rng.choice(["-5", "lots", "{emissions: [1, 2]}", "1e400", "NaN"])
        + "\nbase_model: "
        + rng.choice(["'../../etc/passwd'", "[1, 2]", "{x: y}", "''"])
        + "\n---\n"
    ).encode(), False


def hostile_record(rng: random.Random, i: int) -> tuple[dict, bool]:
    """(listing record, whether the record itself must be rejected)."""
    kind = rng.randrange(6)
    if kind == 0:
        return {"id": rng.choice(["../../etc/passwd", "a/b/c/d", "x" * 500, "bad id/with space", "/abs"])}, True
    if kind == 1:
        return {"id": None, "sha": "x"}, True
    if kind == 2:
        return {
            "id": f"org/m{i}",
            "tags": {"not": "a list"},
            "downloads": "many",
            "likes": -1,
            "siblings": "nope",
            "cardData": ["a", "list"],
        }, False
    if kind == 3:
        return {
            "id": f"org/m{i}",
            "cardData": {
                "base_model": [None, 5, {"a": 1}],
                "license": [[], {}],
                "co2_eq_emissions": {"emissions": "\u0000"},
            },
        }, False
    if kind == 4:
        return {
            "id": f"org/m{i}",
            "createdAt": "yesterday",
            "lastModified": 12,
            "safetensors": "x",
            "gguf": [1] * 10_000,
            "config": {"a" * 10: "b" * 300_000},
        }, False
    return {"id": f"org/{''.join(rng.choice(UNICODE) for _ in range(3))}m{i}"}, True


@pytest.mark.parametrize("n", SIZES)
def test_hostile_cards_never_crash_and_bad_ones_are_quarantined(n):
    rng = random.Random(7)
    bad_quarantined = 0
    for i in range(n):
        data, malformed = hostile_card(rng)
        rows = Rows(*REPO_TABLES)
        _card(rows, f"org/m{i}", "sha", data)
        assert len(rows["model_cards"]) == 1  # the card text is kept either way
        if malformed:
            reasons = [e["reason"] for e in rows["crawl_errors"] if e["stage"] == "card"]
            assert reasons and all(r for r in reasons), data[:80]
            bad_quarantined += 1
    assert bad_quarantined > n // 4


@pytest.mark.parametrize("n", SIZES)
def test_hostile_api_records_never_crash_and_bad_ones_are_quarantined(n):
    rng = random.Random(8)
    for i in range(n):
        item, reject = hostile_record(rng, i)
        rows = Rows(*LISTING_TABLES)
        got = model_rows(item, rows)
        if reject:
            assert got is None and rows["crawl_errors"] and rows["crawl_errors"][0]["reason"]
            assert not rows["models"]
        elif got is None:  # the real client rejects the record: quarantined whole, with the client's reason
            assert not rows["models"] and "rejected by huggingface_hub" in rows["crawl_errors"][0]["reason"]
        else:
            assert got == item["id"] and len(rows["models"]) == 1
            assert all(e["reason"] for e in rows["crawl_errors"])
