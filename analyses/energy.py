"""CO2 and hardware facts from model cards, in every shape they appear, normalised to grams.

Shapes: `co2_eq_emissions` as a number (grams), a string with units ("17g", "0.5 kg"), or a mapping
{emissions, source, training_type, geographical_location, hardware_used}; card text in AutoTrain's form
("CO2 Emissions (in grams): x") and the model-card template's Environmental Impact block (Hardware Type /
Hours used / Cloud Provider / Compute Region / Carbon Emitted). Values that cannot be a measurement
(negative, text) are kept with `valid = False` and a reason, never dropped.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

UNITS = {
    "mg": 1e-3,
    "g": 1.0,
    "gram": 1.0,
    "grams": 1.0,
    "kg": 1e3,
    "kilograms": 1e3,
    "t": 1e6,
    "ton": 1e6,
    "tons": 1e6,
    "tonne": 1e6,
    "tonnes": 1e6,
    "mt": 1e6,
    "lb": 453.592,
    "lbs": 453.592,
}
NUMBER_UNIT = re.compile(
    r"(?P<num>[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?P<unit>mg|kg|kilograms|g|grams?|tonnes?|tons?|t|mt|lbs?)?"
    r"(?:\s*(?:of\s*)?co2(?:[\s-]*eq(?:uivalent)?|e)?)?\b",
    re.I,
)
AUTOTRAIN = re.compile(r"CO2 Emissions \(in grams\)\s*:\s*(?P<v>[^\n]+)", re.I)
TEMPLATE_FIELDS = {
    "hardware_used": re.compile(r"\*{0,2}Hardware Type:?\*{0,2}:?\s*(?P<v>[^\n]+)", re.I),
    "hours_used": re.compile(r"\*{0,2}Hours used:?\*{0,2}:?\s*(?P<v>[^\n]+)", re.I),
    "cloud_provider": re.compile(r"\*{0,2}Cloud Provider:?\*{0,2}:?\s*(?P<v>[^\n]+)", re.I),
    "geographical_location": re.compile(r"\*{0,2}Compute Region:?\*{0,2}:?\s*(?P<v>[^\n]+)", re.I),
    # the value may run on over the next lines (a worked estimate) until the next bullet or heading
    "carbon": re.compile(
        r"\*{0,2}Carbon Emitted(?:\s*\([^)\n]*\))?:?\*{0,2}:?\s*"
        r"(?P<v>[^\n]+(?:\n(?![ \t]*(?:[-*] |#))[^\n]*){0,6})",
        re.I,
    ),
}
PLACEHOLDER = re.compile(r"^\[?more information needed\]?$|^\{\{.*\}\}$|^n/?a$|^unknown$|^-$", re.I)
HARDWARE = re.compile(
    r"^(?:(?P<count>\d+)\s*(?:x|×|\*)?\s*)?(?P<model>(?:nvidia\s+)?(?:tesla\s+)?(?:geforce\s+)?"
    r"(?:rtx\s*)?[a-z]+[\s-]?\d*[a-z]*\d*(?:[\s-]v\d+(?:-\d+)?)?)"
    r"(?:\s*(?P<mem>\d+)\s*gb)?",
    re.I,
)
MAX_GRAMS = 1e12  # a million tonnes: anything above is not a training run


@dataclass
class EnergyFact:
    source_kind: str  # card_yaml | card_text
    raw: str
    co2_grams: float | None
    valid: bool
    reason: str | None = None
    source: str | None = None
    training_type: str | None = None
    geographical_location: str | None = None
    hardware_used: str | None = None
    hours_used: float | None = None
    cloud_provider: str | None = None
    hw_count: int | None = None
    hw_model: str | None = None
    hw_memory_gb: int | None = None

    def row(self) -> dict:
        return asdict(self)


def grams_from_value(value, default_unit: str = "g") -> tuple[float | None, str | None]:
    """(grams, None) or (None, reason). Numbers are grams unless a unit says otherwise."""
    if isinstance(value, bool) or value is None:
        return None, f"not a quantity: {value!r}"
    if isinstance(value, (int, float)):
        grams = float(value) * UNITS[default_unit]
    elif isinstance(value, str):
        text = value.strip()
        if not text or PLACEHOLDER.match(text):
            return None, f"placeholder, not a quantity: {text[:60]!r}"
        m = _emission_quantity(text)
        if not m:
            return None, f"no number in {text[:60]!r}"
        unit = (m.group("unit") or default_unit).lower()
        grams = float(m.group("num").replace(",", "")) * UNITS.get(unit, 1.0)
    else:
        return None, f"unexpected {type(value).__name__}"
    if math.isnan(grams) or math.isinf(grams):
        return None, "not a finite number"
    if grams < 0:
        return None, f"negative emissions ({grams:g} g)"
    if grams > MAX_GRAMS:
        return None, f"implausibly large ({grams:g} g)"
    return grams, None


def _emission_quantity(text: str) -> re.Match | None:
    """The quantity a text reports: the last number with a mass unit that is not a rate (kgCO2/kWh), as
    in "... at 0.016 kgCO2/kWh ... = 6.8 kgCO2", else the first number."""
    found = [m for m in NUMBER_UNIT.finditer(text) if not text[m.end() : m.end() + 2].lstrip().startswith("/")]
    with_unit = [m for m in found if m.group("unit")]
    return with_unit[-1] if with_unit else (found[0] if found else None)


def parse_hardware(text: str | None) -> tuple[int | None, str | None, int | None]:
    """'8 x A100 80GB' -> (8, 'A100', 80); 'TPU v3-8' -> (8, 'TPU v3', None)."""
    if not text or not isinstance(text, str) or PLACEHOLDER.match(text.strip()):
        return None, None, None
    t = text.strip()
    tpu = re.search(r"tpu\s*(v\d+)(?:-(\d+))?", t, re.I)
    if tpu:
        return (int(tpu.group(2)) if tpu.group(2) else None), f"TPU {tpu.group(1).lower()}", None
    m = HARDWARE.match(t)
    if not m:
        return None, t[:60], None
    model = re.sub(r"^(nvidia|tesla|geforce)\s+", "", m.group("model").strip(), flags=re.I)
    model = re.sub(r"\s+gpus?$", "", model, flags=re.I)
    mem = re.search(r"(\d+)\s*gb", t, re.I)
    count = int(m.group("count")) if m.group("count") else 1
    return count, model.upper() if re.match(r"^[a-z]\d", model, re.I) else model, int(mem.group(1)) if mem else None


def _hours(text) -> float | None:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if isinstance(text, str):
        m = re.search(r"\d+(?:\.\d+)?", text.replace(",", ""))
        return float(m.group()) if m else None
    return None


def _with_hardware(fact: EnergyFact) -> EnergyFact:
    fact.hw_count, fact.hw_model, fact.hw_memory_gb = parse_hardware(fact.hardware_used)
    return fact


def from_card_data(value) -> EnergyFact | None:
    """The `co2_eq_emissions` card field, any shape; None when absent."""
    if value is None:
        return None
    if isinstance(value, dict):
        grams, reason = grams_from_value(value.get("emissions"))
        return _with_hardware(
            EnergyFact(
                "card_yaml",
                str(value)[:500],
                grams,
                grams is not None,
                reason,
                source=_s(value.get("source")),
                training_type=_s(value.get("training_type")),
                geographical_location=_s(value.get("geographical_location")),
                hardware_used=_s(value.get("hardware_used")),
            )
        )
    grams, reason = grams_from_value(value)
    return EnergyFact("card_yaml", str(value)[:500], grams, grams is not None, reason)


def from_card_text(body: str) -> EnergyFact | None:
    """CO2 stated in the card's prose (AutoTrain line or the template's Environmental Impact block)."""
    if not body or "CO2" not in body and "Carbon Emitted" not in body and "Hardware Type" not in body:
        return None
    m = AUTOTRAIN.search(body)
    if m:
        grams, reason = grams_from_value(m.group("v").strip())
        return EnergyFact(
            "card_text",
            m.group(0)[:500],
            grams,
            grams is not None,
            reason,
            training_type="fine-tuning",
            source="AutoTrain",
        )
    found = {k: rx.search(body) for k, rx in TEMPLATE_FIELDS.items()}
    carbon = found["carbon"]
    if carbon is None:
        return None
    raw = carbon.group("v").strip()
    vals = {k: (m.group("v").strip() if m else None) for k, m in found.items()}
    vals = {k: (None if v is None or PLACEHOLDER.match(v) else v[:200]) for k, v in vals.items()}
    if vals["carbon"] is None:
        return None  # the template left unfilled: no report
    grams, reason = grams_from_value(raw)
    return _with_hardware(
        EnergyFact(
            "card_text",
            raw[:500],
            grams,
            grams is not None,
            reason,
            hardware_used=vals["hardware_used"],
            hours_used=_hours(vals["hours_used"]),
            cloud_provider=vals["cloud_provider"],
            geographical_location=vals["geographical_location"],
        )
    )


def _s(v) -> str | None:
    return None if v is None else str(v)[:300]
