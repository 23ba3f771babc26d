"""The SMART aim builder: an aim statement composed from its parts, and what an active aim lacks.

Pure functions (no database), used when an aim is saved and by the builder's live preview, so
the statement people read is always the one the parts say.
"""

import datetime
from dataclasses import dataclass

# Each part an active aim needs, with why it matters (shown next to the field when it is missing).
REQUIRED_PARTS: dict[str, str] = {
    "population": "Say who the aim is for (e.g. children accommodated), so everyone counts the same group.",
    "improvement": "Say what will improve for them, so the group knows what success looks like.",
    "baseline_value": "Give the baseline (where you are now), so the chart can show whether things improve.",
    "target_value": "Give a numeric target (how much), so you know when the aim is achieved.",
    "unit": 'Give the unit (e.g. "%" or "days"), so the numbers mean the same to everyone.',
    "by_date": "Give a date (by when), so the aim keeps momentum and can be reviewed against it.",
}


def format_number(value: float) -> str:
    """90.0 → "90", 12.5 → "12.5"."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def format_date(value: datetime.date) -> str:
    """31 March 2027 (no leading zero, the UK style)."""
    return f"{value.day} {value:%B %Y}"


def _quantity(value: float, unit: str) -> str:
    unit = unit.strip()
    if unit == "%":
        return f"{format_number(value)}%"
    return f"{format_number(value)} {unit}".strip()


def compose_statement(
    *,
    population: str = "",
    improvement: str = "",
    baseline_value: float | None = None,
    baseline_label: str = "",
    target_value: float | None = None,
    unit: str = "",
    by_date: datetime.date | None = None,
) -> str:
    """The aim statement, e.g. "90% of children accommodated will have a permanence
    recommendation within 6 months by 31 March 2027, from 55% in 2025".

    Missing parts are left out, so a draft still reads as far as it goes.
    """
    population, improvement, baseline_label, unit = (
        population.strip(),
        improvement.strip(),
        baseline_label.strip(),
        (unit or "").strip(),
    )
    if unit == "%" or not unit:
        # "90% of children accommodated will ..."
        words = []
        if target_value is not None:
            words.append(_quantity(target_value, unit) + (" of" if population else ""))
        if population:
            words.append(population)
        if improvement:
            words.append(improvement)
    else:
        # Other units read better as "For children ..., median days to ...: 120 days by ...".
        words = []
        if population:
            words.append(f"For {population},")
        if improvement:
            words.append(improvement + (":" if target_value is not None else ""))
        if target_value is not None:
            words.append(_quantity(target_value, unit))
    if by_date is not None:
        words.append(f"by {format_date(by_date)}")
    statement = " ".join(words)
    if baseline_value is not None:
        baseline = f"from {_quantity(baseline_value, unit)}"
        if baseline_label:
            baseline += f" {baseline_label}"
        statement = f"{statement}, {baseline}" if statement else baseline.capitalize()
    if statement and statement[0].islower():
        statement = statement[0].upper() + statement[1:]
    return statement


def missing_parts(parts: dict) -> dict[str, str]:
    """The SMART parts an active aim lacks, each with why it matters."""
    missing = {}
    for name, why in REQUIRED_PARTS.items():
        value = parts.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing[name] = why
    return missing


@dataclass(frozen=True)
class AimTemplate:
    key: str
    title: str
    kind: str
    population: str
    improvement: str
    unit: str
    target_value: float | None


# Starting points for PACE national aims and common local aims ("start from a template").
# The national aims carry the national target, so an aim started from one can be saved as active
# once the organisation adds its own baseline and date: 90% of children with a permanence
# recommendation within 6 months (the PACE national aim, DESIGN §2 and the demo's refreshed aim),
# and every child on a CSO for 2 years or more reviewed for permanence (100%). The local ones
# leave the target to the organisation, except the ADM decision: every child within the 14 days
# regulation 13 sets.
NATIONAL_TARGETS = {"permanence_6_months": 90.0, "cso_two_years": 100.0}

AIM_TEMPLATES: list[AimTemplate] = [
    AimTemplate(
        key="permanence_6_months",
        title="Permanence recommendation within 6 months",
        kind="national",
        population="children who become looked after and accommodated",
        improvement="will have a permanence recommendation within 6 months of becoming looked after",
        unit="%",
        target_value=NATIONAL_TARGETS["permanence_6_months"],
    ),
    AimTemplate(
        key="cso_two_years",
        title="Review for children on a CSO for 2 years",
        kind="national",
        population="children looked after at home on a compulsory supervision order for 2 years or more",
        improvement="will have had their plan reviewed for permanence",
        unit="%",
        target_value=NATIONAL_TARGETS["cso_two_years"],
    ),
    AimTemplate(
        key="panel_12_weeks",
        title="Permanence panel within 12 weeks of recommendation",
        kind="local",
        population="children with a permanence recommendation from their LAC review",
        improvement="will be presented to the permanence panel within 12 weeks",
        unit="%",
        target_value=None,
    ),
    AimTemplate(
        key="adm_14_days",
        title="ADM decision within 14 days of panel",
        kind="local",
        population="children recommended for permanence by the panel",
        improvement="will have an agency decision maker decision within 14 days",
        unit="%",
        target_value=100,
    ),
]

TEMPLATES_BY_KEY = {template.key: template for template in AIM_TEMPLATES}
