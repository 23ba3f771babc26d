"""The chart chooser (DESIGN.md §4b): which chart suits a measure, why, and whether the data are
enough for the chart chosen.

The definition says what kind of data a measure has — a value, a count, a count against an
exposure, a numerator out of a denominator, or the days or cases between rare events — and the
data refine the choice: with large denominators most points fall outside a P (or U) chart's
limits although nothing special happened (overdispersion), and Laney's P′ (U′) chart is the
honest one. People can always override the suggestion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from measures.analysis.counts import u_chart
from measures.analysis.run_chart import RUNS_TEST_MINIMUM, run_chart
from measures.analysis.spc import TRIAL_LIMIT_POINTS, p_chart

CHART_NAMES = {
    "run": "run chart",
    "xmr": "XmR chart",
    "p": "P chart",
    "p_prime": "P′ chart",
    "c": "C chart",
    "u": "U chart",
    "u_prime": "U′ chart",
    "g": "G chart",
    "t": "T chart",
}
# What each chart needs from every data point.
PROPORTION_CHARTS = {"p", "p_prime"}
RATE_CHARTS = {"u", "u_prime"}
EVENT_CHARTS = {"g", "t"}
CONTROL_CHARTS = set(CHART_NAMES) - {"run"}
# Limits that need a moving range (or σ_z from one) need two baseline points.
MOVING_RANGE_CHARTS = {"xmr", "p_prime", "u_prime", "t"}
TIME_UNITS = {"day", "days", "week", "weeks", "hour", "hours", "month", "months", "year", "years"}
# Most points outside: the share of points beyond the P or U limits that points to overdispersion.
OVERDISPERSED_SHARE = 0.5


@dataclass(frozen=True)
class ChartSuggestion:
    """The suggested chart, the one-sentence reason, and warnings about the chosen chart."""

    chart: str
    reason: str
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return CHART_NAMES[self.chart]


def _present(values: Sequence[float | None]) -> list[float]:
    return [value for value in values if value is not None and value == value]


def _pairs(numerators: Sequence[float | None], denominators: Sequence[float | None]) -> list[tuple[float, float]]:
    return [
        (numerator, denominator)
        for numerator, denominator in zip(numerators, denominators, strict=False)
        if numerator is not None and denominator is not None and denominator > 0
    ]


def _range_text(denominators: list[float]) -> str:
    low, high = min(denominators), max(denominators)
    return f"{low:,.0f}" if math.isclose(low, high) else f"{low:,.0f}–{high:,.0f}"


def _outside_share(chart: str, pairs: list[tuple[float, float]], baseline: int | None) -> float | None:
    """The share of points beyond P (or U) chart limits, or None when they cannot be drawn."""
    numerators = [numerator for numerator, _ in pairs]
    denominators = [denominator for _, denominator in pairs]
    try:
        result = (
            p_chart(numerators, denominators, baseline, better=None)
            if chart == "p"
            else u_chart(numerators, denominators, baseline, better=None)
        )
    except ValueError:
        return None
    if result.centre is None or not pairs:
        return None
    return len(result.outside) / len(pairs)


def _family(*, chosen: str | None, denominator_defined: bool, per_event: bool, rate: bool) -> str:
    """What the definition says the data are: "proportion", "rate", "count", "event" or "value"."""
    if chosen in PROPORTION_CHARTS:
        return "proportion"
    if chosen in RATE_CHARTS:
        return "rate"
    if chosen == "c":
        return "count"
    if chosen in EVENT_CHARTS or per_event:
        return "event"
    if denominator_defined:
        return "rate" if rate else "proportion"
    return "value"


def suggest_chart(
    *,
    chosen: str | None = None,
    denominator_defined: bool = False,
    unit: str = "",
    per_event: bool = False,
    values: Sequence[float | None] = (),
    numerators: Sequence[float | None] = (),
    denominators: Sequence[float | None] = (),
    baseline: int | None = None,
) -> ChartSuggestion:
    """Suggest a chart for a measure and warn about the one chosen.

    `chosen` is the chart picked so far (it says what the data are when it is a count, rate,
    proportion or rare-event chart); `denominator_defined` whether the definition names a
    denominator; `unit` the measure's unit ("days", "per 100 children"); `per_event` whether
    there is one point per event rather than per period. `values` or `numerators` and
    `denominators` are the data points so far, in time order.
    """
    unit_words = unit.lower().replace("/", " ").split()
    pairs = _pairs(numerators, denominators)
    # Counts above their "denominator" can only be events against an exposure.
    rate = "per" in unit_words or any(numerator > denominator for numerator, denominator in pairs)
    family = _family(chosen=chosen, denominator_defined=denominator_defined, per_event=per_event, rate=rate)

    if family in {"proportion", "rate"}:
        base = "p" if family == "proportion" else "u"
        name = "P chart" if base == "p" else "U chart"
        share = _outside_share(base, pairs, baseline) if len(pairs) >= 2 else None
        if share is not None and share > OVERDISPERSED_SHARE:
            suggestion = ChartSuggestion(
                f"{base}_prime",
                f"Denominators of {_range_text([d for _, d in pairs])}: most points fall outside {name} limits "
                f"(overdispersion), so a {CHART_NAMES[base + '_prime']} is suggested.",
            )
        elif base == "p":
            suggestion = ChartSuggestion(
                "p", "A numerator out of a denominator: a P chart's limits allow for each period's denominator."
            )
        else:
            suggestion = ChartSuggestion(
                "u", "Events counted against an exposure: a U chart's limits allow for each period's exposure."
            )
    elif family == "count":
        suggestion = ChartSuggestion(
            "c", "Whole-number counts of events with the same opportunity each period: a C chart."
        )
    elif family == "event":
        if any(word in TIME_UNITS for word in unit_words):
            suggestion = ChartSuggestion(
                "t",
                "Times between rare events are skewed: a T chart transforms them so that its limits and rules hold.",
            )
        else:
            suggestion = ChartSuggestion(
                "g", "Cases between rare events: a G chart takes its limits from the geometric distribution."
            )
    else:
        suggestion = ChartSuggestion(
            "xmr", "A single value each period: an XmR chart adds control limits to the run chart's rules."
        )
    warnings = data_warnings(
        chosen or suggestion.chart, values=values, numerators=numerators, denominators=denominators, baseline=baseline
    )
    return ChartSuggestion(suggestion.chart, suggestion.reason, warnings)


def data_warnings(
    chart: str,
    *,
    values: Sequence[float | None] = (),
    numerators: Sequence[float | None] = (),
    denominators: Sequence[float | None] = (),
    baseline: int | None = None,
) -> list[str]:
    """Whether the data are enough for `chart`: 12 baseline points for limits that are more
    than trial limits, 10 useful observations for the runs rules; and whether they fit it."""
    name = CHART_NAMES.get(chart, chart)
    pairs = _pairs(numerators, denominators)
    needs_pairs = chart in PROPORTION_CHARTS | RATE_CHARTS
    present = len(pairs) if needs_pairs else len(_present(values))
    warnings = []
    if needs_pairs and not pairs and _present(values):
        needed = "a numerator and a denominator" if chart in PROPORTION_CHARTS else "a count and an exposure"
        warnings.append(f"A {name} needs {needed} for every point; these data have single values.")
        return warnings
    if chart in PROPORTION_CHARTS and any(numerator > denominator for numerator, denominator in pairs):
        warnings.append(f"A {name} needs numerators no larger than their denominators; some are larger.")
    if chart == "run":
        series = _present(values) if not needs_pairs else [n / d for n, d in pairs]
        useful = run_chart(series, baseline).useful if series else 0
        if useful < RUNS_TEST_MINIMUM:
            warnings.append(
                f"Only {useful} useful observation{'s' if useful != 1 else ''} (points off the median): the runs "
                f"rules need at least {RUNS_TEST_MINIMUM}."
            )
        return warnings
    base = present if baseline is None else min(baseline, present)
    if present == 0:
        warnings.append(
            f"No data yet: the {name}'s limits stay trial limits until {TRIAL_LIMIT_POINTS} baseline points."
        )
    elif chart in MOVING_RANGE_CHARTS and base < 2:
        warnings.append(f"Only {base} baseline point: a {name} needs at least 2 for limits.")
    elif base < TRIAL_LIMIT_POINTS:
        warnings.append(
            f"Only {base} baseline point{'s' if base != 1 else ''}: the limits are trial limits until there are "
            f"{TRIAL_LIMIT_POINTS}."
        )
    return warnings
