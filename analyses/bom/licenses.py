"""A declared license as each BOM format may state it, through the license knowledge base (analyses/licenses.py).

CycloneDX puts only ids of the SPDX license list in `license.id` (in their canonical case, e.g. `Apache-2.0`);
a license the list does not hold goes in `license.name` as its `LicenseRef-` id (the knowledge base's, or one made
from the card's text), with the license text's URL. SPDX 3 takes the same ids and refs as license expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyclonedx.spdx import fixup_id, is_expression, is_supported_id

from analyses.licenses import License, resolve, terms_of

REF_CHARS = re.compile(r"[^A-Za-z0-9.-]+")


@dataclass(frozen=True)
class BomLicense:
    raw: str | None              # the card's value (its license_name for `other`)
    license: License             # how the knowledge base resolved it
    spdx_id: str | None          # an SPDX license-list id, canonical case
    ref: str | None              # a LicenseRef- id when the list has none
    expression: str | None       # an SPDX expression of list ids (a card that declares `apache-2.0 OR mit`)
    title: str | None
    url: str | None

    @property
    def spdx_expression(self) -> str:
        """The license as one SPDX 3 license expression (NOASSERTION when the card declares none)."""
        return self.spdx_id or self.expression or self.ref or "NOASSERTION"

    @property
    def label(self) -> str:
        return self.spdx_expression if self.spdx_expression != "NOASSERTION" else (self.raw or "none declared")


def custom_ref(text: str) -> str:
    """A LicenseRef- id for a license the knowledge base does not know, made from the card's own words."""
    return "LicenseRef-hubmine-" + (REF_CHARS.sub("-", text).strip("-.")[:60] or "unnamed")


def bom_license(raw, name=None, link=None) -> BomLicense | None:
    """One declared license; None when the card declares none (or `unknown`)."""
    lic = resolve(raw, name, link)
    if lic.resolution == "none" or lic.spdx == "NOASSERTION":
        return None
    terms = terms_of(lic.license_id) if lic.resolution in ("hub", "alias", "license_name", "license_link",
                                                           "spdx") else None
    shown = name if lic.resolution in ("license_name", "other-unknown-name") and name else raw
    url = terms.source_url if terms else (link if isinstance(link, str) and link.startswith("http") else None)
    title = terms.title if terms else None
    spdx = lic.spdx or ""
    if terms and is_supported_id(spdx):
        return BomLicense(shown, lic, fixup_id(spdx), None, None, title, url)
    if terms and spdx.startswith("LicenseRef-") and lic.license_id != "other":
        return BomLicense(shown, lic, None, spdx, None, title, url)
    if lic.resolution == "spdx-expression" and spdx and is_expression(spdx):
        return BomLicense(shown, lic, None, None, spdx, None, url)
    return BomLicense(shown, lic, None, custom_ref(str(shown or "other")), None, title, url)


def bom_licenses(declared: list[dict] | None) -> list[BomLicense]:
    """Every license a model declares (rows of licenses: raw, name, link), in the card's order, once each."""
    out, seen = [], set()
    for d in declared or []:
        found = bom_license(d.get("raw"), d.get("name"), d.get("link"))
        if found is not None and found.spdx_expression not in seen:
            seen.add(found.spdx_expression)
            out.append(found)
    return out
