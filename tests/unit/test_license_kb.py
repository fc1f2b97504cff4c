"""The license knowledge base (analyses/data/licenses.csv) against the sources it claims: the Hub's accepted
values, license-expression's SPDX list and the ScanCode LicenseDB index that ships inside license-expression."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import license_expression
import pytest
from license_expression import get_spdx_licensing

from analyses import licenses

SCANCODE_INDEX = Path(license_expression.__file__).parent / "data" / "scancode-licensedb-index.json"
# accepted `license` values added to the Hub's list after the 80 the project first mapped
NEWER_HUB_VALUES = {"openmdw-1.0", "grok2-community"}
COMMON_OTHER_NAMES = (
    "llama4",
    "exaone",
    "qwen",
    "tongyi-qianwen",
    "deepseek",
    "stabilityai-ai-community",
    "nvidia-open-model-license",
    "gemma",
    "llama3.1",
    "llama3.2",
    "llama3.3",
)


@pytest.fixture(scope="module")
def scancode():
    return {e["license_key"]: e for e in json.loads(SCANCODE_INDEX.read_text())}


def test_every_hub_value_is_in_the_knowledge_base():
    hub = {lid for lid, t in licenses.knowledge_base().items() if t.kind == "hub"}
    assert len(hub) == 82 and NEWER_HUB_VALUES <= hub and {"llama4", "gemma", "other", "unknown"} <= hub


def test_spdx_ids_and_scancode_keys_come_from_license_expression(scancode):
    spdx = get_spdx_licensing()
    for t in licenses.knowledge_base().values():
        if not t.spdx.startswith("LicenseRef-") and t.spdx != "NOASSERTION":
            assert not spdx.validate(t.spdx).invalid_symbols, t.license_id
        if t.scancode_key is not None:
            entry = scancode[t.scancode_key]
            assert not entry["is_deprecated"], t.license_id
            assert t.spdx in (entry["spdx_license_key"], *entry["other_spdx_license_keys"]), t.license_id
        elif t.spdx.startswith("LicenseRef-scancode-"):
            pytest.fail(f"{t.license_id}: a ScanCode LicenseRef without its key")


def test_every_entry_has_a_source_and_clauses_where_it_binds():
    for t in licenses.knowledge_base().values():
        assert t.source_url.startswith(("https://", "http://")), t.license_id
        assert t.category in licenses.CATEGORIES and t.terms in licenses.TERMS
        if t.category in ("copyleft", "open-rail", "non-commercial"):
            assert t.obligations, f"{t.license_id}: a {t.category} license with no obligation recorded"
        for other in t.compatible_with:
            assert other in licenses.knowledge_base(), (t.license_id, other)


def test_license_name_drives_the_resolution_of_other():
    for name in COMMON_OTHER_NAMES:
        lic = licenses.resolve("other", name)
        assert lic.resolution == "license_name" and lic.resolved, name
    assert licenses.resolve("other", "Gemma-Terms-Of-Use").license_id == "gemma"  # through the alias table
    assert (
        licenses.resolve("other", None, "https://huggingface.co/THUDM/CogVideoX-5b/resolve/main/LICENSE").license_id
        == "cogvideox-license"
    )  # a link to a known license text
    assert licenses.resolve("other", "my-own-terms").resolution == "other-unknown-name"
    assert not licenses.resolve("other").resolved and licenses.resolve("other").resolution == "other-unnamed"
    assert licenses.resolve("mit", "deepseek").license_id == "mit"  # license_name only says what `other` is


def test_alias_table_points_into_the_knowledge_base():
    with open(Path(licenses.DATA) / "license_aliases.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            assert row["license_id"] in licenses.knowledge_base(), row
