"""Plain-language readings of a chart, built from the analysis engine's results.

Pure functions with no database access: they take the engine's per-phase results and the
period labels, and say in words what the chart shows ("7 points below the median since March
2026: a shift — an improvement"), so that nobody has to know the rules to read the chart.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from measures.analysis import LaneyResult, PhaseResult, RunChartResult, Signal

# Label precedence for a point caught by several rules (DESIGN.md §4).
PRECEDENCE = {"beyond_limit": 0, "trend": 1, "two_of_three": 2, "shift": 3}

SIGNAL_NAMES = {
    "shift": "shift",
    "trend": "trend",
    "beyond_limit": "point beyond a limit",
    "two_of_three": "2 of 3 points near a limit",
}

VARIATION_LABELS = {
    "common_cause": "Common cause variation",
    "special_cause_improving": "Special cause: improving",
    "special_cause_concerning": "Special cause: concerning",
    "special_cause_neither": "Special cause: neither better nor worse",
}

ASSURANCE_LABELS = {
    "consistently_passing": "Consistently meets the target",
    "consistently_failing": "Consistently misses the target",
    "hit_and_miss": "Hit and miss against the target",
}

MAX_SIGNAL_SENTENCES = 5


def period_label(period: datetime.date, frequency: str = "month") -> str:
    """How a period reads in a sentence: "March 2026", "Q1 2026", "week of 3 March 2026", or
    for a point per event (G and T charts) its date, "3 March 2026"."""
    if frequency == "event":
        return f"{period.day} {period:%B %Y}"
    if frequency == "quarter":
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    if frequency == "week":
        return f"week of {period.day} {period:%B %Y}"
    return f"{period:%B %Y}"


@dataclass(frozen=True)
class ShownSignal:
    """A signal as the chart shows it: the engine's record and the phase it belongs to."""

    signal: Signal
    phase: int


def shown_signals(phases: list[PhaseResult], chart: str, rule_profile: str = "ihi") -> list[ShownSignal]:
    """The signals a chart highlights.

    Run charts under the Anhøj rules flag unusually long runs (a shift longer than the
    longest run Anhøj allows for this many useful points) and no trends; under the IHI rules
    every shift and trend counts. Control charts show every special cause.
    """
    shown = []
    for number, phase in enumerate(phases):
        result = phase.result
        for signal in result.signals:
            if chart == "run" and rule_profile == "anhoj":
                assert isinstance(result, RunChartResult)
                if signal.kind != "shift" or result.longest_run_max is None:
                    continue
                if len(signal.points) <= result.longest_run_max:
                    continue
            shown.append(ShownSignal(signal, number))
    return shown


def point_signals(shown: list[ShownSignal], length: int) -> list[Signal | None]:
    """For each position, the highest-precedence shown signal that flags it."""
    labels: list[Signal | None] = [None] * length
    for item in shown:
        signal = item.signal
        for index in signal.points or range(signal.start, signal.end + 1):
            current = labels[index]
            if current is None or PRECEDENCE[signal.kind] < PRECEDENCE[current.kind]:
                labels[index] = signal
    return labels


def outcome_phrase(improvement: bool | None) -> str:
    if improvement is None:
        return "neither better nor worse (the measure has no better direction)"
    return "an improvement" if improvement else "a concern"


def _span(signal: Signal, labels: list[str], last_index: int | None) -> str:
    first, last = labels[signal.start], labels[signal.end]
    if signal.end == last_index:
        return f"since {first}"
    if first == last:
        return f"in {first}"
    return f"from {first} to {last}"


def signal_sentence(
    signal: Signal, labels: list[str], centre_name: str, last_index: int | None, shift_name: str = "a shift"
) -> str:
    """One signal in words, e.g. "7 points below the median since March 2026: a shift — an improvement."."""
    count = len(signal.points) or signal.end - signal.start + 1
    outcome = outcome_phrase(signal.improvement)
    span = _span(signal, labels, last_index)
    if signal.kind == "shift":
        side = "above" if signal.direction == "high" else "below"
        return f"{count} points {side} the {centre_name} {span}: {shift_name} — {outcome}."
    if signal.kind == "trend":
        way = "rising" if signal.direction == "high" else "falling"
        return f"{count} points in a row {way} {span}: a trend — {outcome}."
    if signal.kind == "beyond_limit":
        side = "above the upper" if signal.direction == "high" else "below the lower"
        return f"{labels[signal.start]} is {side} control limit: a special cause — {outcome}."
    side = "upper" if signal.direction == "high" else "lower"
    if count == 2:
        return f"2 of 3 points in a row close to the {side} limit {span}: a special cause — {outcome}."
    return (
        f"{count} points close to the {side} limit {span}, at least 2 in every 3 in a row: a special cause — {outcome}."
    )


def chart_reading(
    *,
    chart: str,
    phases: list[PhaseResult],
    labels: list[str],
    rule_profile: str = "ihi",
    assurance: str | None = None,
    target_text: str = "",
    astronomical: Sequence[int] = (),
    values: Sequence[float | None] = (),
    unit: str = "",
    event_name: str = "",
    target: float | None = None,
    better: str = "",
    provisional: Sequence[int] = (),
    withheld: Sequence[int] = (),
    withheld_text: str = "<5",
) -> list[str]:
    """Sentences describing the latest phase of a chart, most important first.

    `labels` holds one period label per position; `phases` are the engine's results from
    `chart_by_phase`; `astronomical` lists the positions people marked as astronomical.
    Signals in earlier phases are history that a new phase already acknowledged, so only the
    latest phase is read. For G and T charts `values` (the gaps as drawn, one per position),
    `unit` and `event_name` ("placement disruptions") let the reading describe the latest gap.

    The first sentence says which phase the rules read, why, and what they found against the
    latest value and the `target` (see `phase_sentence`). `withheld` lists the positions
    withheld from this reader as small counts (their `values` are None and the engine never saw
    them): the reading says so, and nothing in it is worked out from them.
    """
    sentences: list[str] = []
    if withheld:
        sentences.append(withheld_sentence([labels[index] for index in withheld], withheld_text))
    if not phases or phases[-1].result.last_index is None:
        if withheld:
            return [*sentences, "No value in the current phase can be shown, so the rules have nothing to read."]
        return ["No data yet."]
    phase = phases[-1]
    result = phase.result
    last_index = result.last_index
    centre_name = "median" if chart in ("run", "g") else "mean"
    signals = [item.signal for item in shown_signals([phase], chart, rule_profile)]
    sentences.insert(
        0,
        phase_sentence(
            phases=phases,
            labels=labels,
            values=values,
            signals=signals,
            provisional=provisional,
            target=target,
            better=better,
            target_text=target_text,
        ),
    )
    if chart in ("g", "t") and values:
        gap = _gap_sentence(phase, values, unit or ("days" if chart == "t" else "cases"), event_name)
        if gap:
            sentences.append(gap)

    # The most recent signals matter most; older ones are summarised by their count.
    signals.sort(key=lambda signal: (signal.end, signal.start), reverse=True)
    # Under the Anhøj rules a shift is shown only when it is longer than chance allows.
    shift_name = "an unusually long run" if chart == "run" and rule_profile == "anhoj" else "a shift"
    for signal in signals[:MAX_SIGNAL_SENTENCES]:
        sentences.append(signal_sentence(signal, labels, centre_name, last_index, shift_name))
    if len(signals) > MAX_SIGNAL_SENTENCES:
        sentences.append(f"{len(signals) - MAX_SIGNAL_SENTENCES} earlier signals are highlighted on the chart.")

    if chart == "run":
        assert isinstance(result, RunChartResult)
        sentences.extend(_run_sentences(result, rule_profile, bool(signals)))
    elif _has_limits(result):
        if not signals:
            sentences.append("Only common cause variation: no point is unusual against the limits.")
        if isinstance(result, LaneyResult) and result.sigma_z is not None:
            sentences.append(_laney_sentence(chart, result.sigma_z))
        if result.trial_limits:
            sentences.append("The limits are trial limits: the baseline has fewer than 12 points.")
    else:
        sentences.append("Not enough data for control limits yet: this chart needs at least 2 points in its baseline.")
    if chart == "run" and result.useful < 10:
        sentences.append(
            f"Only {result.useful} points off the median so far: the runs rules need at least 10 to be reliable."
        )
    if assurance and target_text:
        sentences.append(_assurance_sentence(assurance, target_text))
    if astronomical:
        marked = ", ".join(labels[index] for index in astronomical)
        sentences.append(f"Marked as astronomical by a person (a judgement, not a rule): {marked}.")
    return sentences


def withheld_sentence(periods: Sequence[str], shown_as: str = "<5") -> str:
    """Why some periods are not drawn, and that nothing shown is worked out from them."""
    which = periods[0] if len(periods) == 1 else f"{len(periods)} periods"
    verb = "describes" if len(periods) == 1 else "describe"
    return (
        f"{which} {verb} fewer than 5 children, so {'its value is' if len(periods) == 1 else 'their values are'} "
        f"not shown (marked {shown_as}); the lines, signals and this reading use only the periods shown, "
        "so that no hidden value can be worked out from them."
    )


def phase_sentence(
    *,
    phases: list[PhaseResult],
    labels: list[str],
    values: Sequence[float | None],
    signals: Sequence[Signal],
    provisional: Sequence[int] = (),
    target: float | None = None,
    better: str = "",
    target_text: str = "",
) -> str:
    """Which phase the rules read and why, what they found, and the latest value against the
    target, in one sentence: "The rules read the current phase (since April 2026, 8 points),
    because a new phase began then: no improvement signal yet, although the latest value meets
    the target (90%)." — so that a progress bar near the target beside "no signal" is explained.
    """
    phase = phases[-1]
    positions = range(phase.offset, phase.stop)
    present = [index for index in positions if index < len(values) and values[index] is not None]
    read = len([index for index in present if index not in set(provisional)]) if values else phase.stop - phase.offset
    counted = f"{read} point" if read == 1 else f"{read} points"
    first = labels[phase.offset]
    if len(phases) > 1:
        which = f"The rules read the current phase (since {first}, {counted}), because a new phase began then"
    else:
        which = f"The rules read {'all ' if read > 2 else ''}{counted} (since {first})"
    # The most recent signal says where the process is heading now (older ones are listed below).
    recent = max(signals, key=lambda signal: (signal.end, signal.start)) if signals else None
    if recent is None:
        found, good = ("no signal", None) if better == "neutral" else ("no improvement signal yet", False)
    elif recent.improvement is None:
        found, good = "a signal (the measure has no better direction)", None
    elif recent.improvement:
        found, good = "an improvement signal", True
    else:
        found, good = "a signal of concern", False
    latest = values[present[-1]] if present else None
    if target is None or latest is None or better not in ("up", "down") or good is None:
        return f"{which}: {found}."
    meets = latest >= target if better == "up" else latest <= target
    target_words = f"the target ({target_text})" if target_text else "the target"
    clause = f"the latest value meets {target_words}" if meets else f"the latest value does not meet {target_words}"
    joiner = "and" if meets == good else "although"
    return f"{which}: {found}, {joiner} {clause}."


def _has_limits(result: object) -> bool:
    ucl = getattr(result, "ucl", None)
    return any(value is not None for value in ucl) if isinstance(ucl, list) else ucl is not None


def _laney_sentence(chart: str, sigma_z: float) -> str:
    base = "P chart" if chart == "p_prime" else "U chart"
    if sigma_z >= 1:
        return (
            f"The points vary {sigma_z:.2g} times as much from period to period as a {base} expects "
            f"(overdispersion), so Laney's limits are that much wider."
        )
    return f"The points vary less than a {base} expects (σ_z = {sigma_z:.2g}), so Laney's limits are narrower than its."


def _gap_sentence(phase: PhaseResult, values: Sequence[float | None], unit: str, event_name: str) -> str:
    """The latest gap in words: "4 days between the last two placement disruptions — the
    longest gap yet: an improvement."."""
    result = phase.result
    last = result.last_index
    if last is None or values[last] is None:
        return ""
    events = event_name.strip() or "events"
    latest = values[last]
    text = f"{_number(latest)} {unit} between the last two {events}"
    earlier = [value for value in values[phase.offset : last] if value is not None]
    record = ""
    if earlier and latest > max(earlier):
        record = "the longest gap yet"
    elif earlier and latest < min(earlier):
        record = "the shortest gap yet"
    if not record:
        return f"{text}."
    flagged = [signal for signal in result.signals if signal.covers(last)]
    if flagged:
        signal = min(flagged, key=lambda signal: PRECEDENCE[signal.kind])
        return f"{text} — {record}: {outcome_phrase(signal.improvement)}."
    return f"{text} — {record}, though not a signal on its own."


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _run_sentences(result: RunChartResult, rule_profile: str, any_signal: bool) -> list[str]:
    sentences = []
    if rule_profile == "anhoj":
        if result.crossings_signal:
            sentences.append(
                f"The line crosses the median only {result.crossings} times (fewer than {result.crossings_min}): "
                "a sign of non-random variation."
            )
        if not any_signal and not result.crossings_signal:
            sentences.append("No unusually long runs and enough crossings of the median: random variation only.")
        return sentences
    if result.too_few_runs:
        sentences.append(
            f"Too few runs ({result.runs} for {result.useful} useful points): the data are not random — "
            "look for a shift."
        )
    if result.too_many_runs:
        sentences.append(
            f"Too many runs ({result.runs} for {result.useful} useful points): the data may be mixed from "
            "different sources or alternate in a pattern."
        )
    if not any_signal and not result.too_few_runs and not result.too_many_runs:
        sentences.append("No shifts, trends or unusual runs: the points vary around the median as chance would.")
    return sentences


def _assurance_sentence(assurance: str, target_text: str) -> str:
    if assurance == "consistently_passing":
        return f"The target ({target_text}) lies outside the limits on the good side: it will be met consistently."
    if assurance == "consistently_failing":
        return (
            f"The target ({target_text}) lies outside the limits on the wrong side: without a change to the "
            "process it will not be met."
        )
    return f"The target ({target_text}) lies within the limits: it will be hit and miss."
