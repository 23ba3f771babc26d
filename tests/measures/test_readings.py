"""Plain-language readings built from the engine's results (pure functions, no database)."""

import datetime

import pytest

from measures.analysis import Signal, chart_by_phase
from measures.readings import (
    chart_reading,
    outcome_phrase,
    period_label,
    point_signals,
    shown_signals,
    signal_sentence,
)

MONTHS = [datetime.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(40)]
LABELS = [period_label(month) for month in MONTHS]


def _reading(values, chart="run", better="down", starts=(), **kwargs):
    """The reading after its first sentence (which phase the rules read: tested on its own)."""
    reading = _full_reading(values, chart, better, starts, **kwargs)
    assert reading[0].startswith("The rules read ")
    return reading[1:]


def _full_reading(values, chart="run", better="down", starts=(), **kwargs):
    phases = chart_by_phase(values, list(starts), chart, better=better)
    return chart_reading(chart=chart, phases=phases, labels=LABELS[: len(values)], values=values, **kwargs)


def test_period_labels() -> None:
    assert period_label(datetime.date(2026, 3, 1)) == "March 2026"
    assert period_label(datetime.date(2026, 4, 1), "quarter") == "Q2 2026"
    assert period_label(datetime.date(2026, 3, 2), "week") == "week of 2 March 2026"


def test_shift_to_the_last_point_reads_since() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 12, 10, 5, 4, 6, 5, 4, 6, 5]

    reading = _reading(values)

    assert reading[0] == "7 points below the median since November 2025: a shift — an improvement."


def test_earlier_shift_reads_from_to_and_concern_follows_better_direction() -> None:
    values = [5, 4, 6, 5, 4, 6, 20, 21, 22, 23, 24, 25, 10, 12, 11, 13, 10, 12, 11, 9]

    reading = _reading(values, better="up")

    assert "6 points below the median from January 2025 to June 2025: a shift — a concern." in reading


def test_trend_sentence() -> None:
    values = [10, 11, 12, 13, 14, 15, 9, 10, 9, 10, 9, 10]

    reading = _reading(values, better="up")

    assert "6 points in a row rising from January 2025 to June 2025: a trend — an improvement." in reading


def test_random_data_reads_as_chance() -> None:
    values = [10, 13, 11, 9, 12, 14, 10, 8, 12, 11, 13, 9]

    reading = _reading(values)

    assert reading == ["No shifts, trends or unusual runs: the points vary around the median as chance would."]


def test_few_points_are_flagged_as_unreliable() -> None:
    reading = _reading([1, 3, 2, 4])

    assert reading[-1] == "Only 4 points off the median so far: the runs rules need at least 10 to be reliable."


def test_anhoj_reading_uses_crossings() -> None:
    values = [1, 1, 1, 1, 9, 9, 9, 9] * 3

    reading = _reading(values, rule_profile="anhoj")

    assert any("crosses the median only 5 times" in sentence for sentence in reading)


def test_control_chart_beyond_limit_trial_limits_and_assurance() -> None:
    values = [10, 11, 10, 11, 10, 11, 10, 30]

    phases = chart_by_phase(values, [], "xmr", better="down", target=1)
    reading = chart_reading(
        chart="xmr",
        phases=phases,
        labels=LABELS[:8],
        assurance=phases[-1].result.assurance,
        target_text="1 day",
    )

    assert reading[1] == "August 2025 is above the upper control limit: a special cause — a concern."
    assert "The limits are trial limits: the baseline has fewer than 12 points." in reading
    assert reading[-1].startswith("The target (1 day) lies outside the limits on the wrong side")


def test_common_cause_control_chart() -> None:
    values = [10, 11, 10, 12, 10, 11, 9, 11, 10, 12, 10, 11, 10]

    reading = _reading(values, chart="xmr")

    assert reading[0] == "Only common cause variation: no point is unusual against the limits."


def test_only_the_latest_phase_is_read() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 5, 4, 6, 5, 4, 6, 5, 4]

    reading = _full_reading(values, starts=[8])

    assert reading[0] == (
        "The rules read the current phase (since September 2025, 8 points), because a new phase began then: "
        "no improvement signal yet."
    )
    assert not any("a shift —" in sentence for sentence in reading)


def test_two_of_three_sentences() -> None:
    two = Signal("two_of_three", 3, 5, "high", True, (3, 5))
    five = Signal("two_of_three", 3, 9, "low", False, (3, 4, 6, 7, 9))

    assert signal_sentence(two, LABELS, "mean", 20) == (
        "2 of 3 points in a row close to the upper limit from April 2025 to June 2025: "
        "a special cause — an improvement."
    )
    assert signal_sentence(five, LABELS, "mean", 9).startswith("5 points close to the lower limit since April 2025")


def test_outcome_without_a_better_direction() -> None:
    assert outcome_phrase(None).startswith("neither better nor worse")


def test_point_signals_follow_precedence() -> None:
    values = [10, 11, 10, 12, 10, 11, 9, 11, 10, 12, 10, 11, 10, 11, 10, 12, 10, 11, 10, 11, 50]
    phases = chart_by_phase(values, [], "xmr", better="up", baseline=20)

    labels = point_signals(shown_signals(phases, "xmr"), len(values))

    assert labels[20].kind == "beyond_limit" and labels[20].improvement is True
    assert labels[:20] == [None] * 20


@pytest.mark.parametrize("chart", ["run", "xmr"])
def test_empty_chart(chart) -> None:
    assert chart_reading(chart=chart, phases=[], labels=[]) == ["No data yet."]


def test_astronomical_points_are_named() -> None:
    phases = chart_by_phase([5, 6, 50, 5], [], "run")

    reading = chart_reading(chart="run", phases=phases, labels=LABELS[:4], astronomical=[2])

    assert reading[-1] == "Marked as astronomical by a person (a judgement, not a rule): March 2025."


def test_anhoj_names_a_long_run() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 12, 10, 11, 13, 5, 4, 6, 5, 4, 6, 5, 4, 5, 6]

    reading = _reading(values, rule_profile="anhoj")

    assert reading[0] == "10 points below the median since January 2026: an unusually long run — an improvement."


@pytest.mark.parametrize(
    ("values", "better", "target", "found"),
    [
        # 8 points, no signal, the latest meets the target: the progress bar and the rules agree in words.
        ([10, 12, 11, 13, 10, 12, 11, 9], "down", 9, "no improvement signal yet, although the latest value meets"),
        ([10, 12, 11, 13, 10, 12, 11, 13], "down", 9, "no improvement signal yet, and the latest value does not meet"),
        ([10, 12, 11, 13, 10, 12, 11, 13, 5, 4, 6, 5, 4, 6], "down", 5, "an improvement signal, although the latest"),
        ([10, 12, 11, 13, 10, 12, 11, 13, 5, 4, 6, 5, 4, 4], "down", 5, "an improvement signal, and the latest value"),
        ([10, 12, 11, 13, 10, 12, 11, 13, 5, 4, 6, 5, 4, 6], "up", 5, "a signal of concern, although the latest"),
        ([10, 12, 11, 13, 10, 12, 11, 13], "neutral", 9, "no signal."),
    ],
)
def test_the_first_sentence_says_what_the_rules_read_and_the_latest_value_against_the_target(
    values, better, target, found
) -> None:
    phases = chart_by_phase(values, [], "run", better=better)

    reading = chart_reading(
        chart="run",
        phases=phases,
        labels=LABELS[: len(values)],
        values=values,
        target=target,
        better=better,
        target_text=f"{target} days",
    )

    assert reading[0].startswith(f"The rules read all {len(values)} points (since January 2025): ")
    assert found in reading[0]


def test_the_phase_sentence_counts_only_the_points_the_rules_read() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 5, 4, None, 5, 4, 6]
    phases = chart_by_phase([*values[:-1], None], [8], "run", better="down")

    reading = chart_reading(chart="run", phases=phases, labels=LABELS[:14], values=values, provisional=[13])

    # 6 points from September 2025: one missing, one provisional (drawn, not read).
    assert reading[0].startswith("The rules read the current phase (since September 2025, 4 points), because")


def test_withheld_periods_are_named_and_the_reading_counts_only_what_is_shown() -> None:
    # The viewer's values: February and March 2025 withheld (1–4 children), None to the engine.
    values = [9, None, None, 12, 14, 13, 15, 16, 14, 17, 18, 19]
    phases = chart_by_phase(values, [], "run", better="down")

    reading = chart_reading(
        chart="run", phases=phases, labels=LABELS[:12], values=values, better="down", withheld=[1, 2]
    )

    assert reading[0].startswith("The rules read all 10 points (since January 2025)")
    assert reading[1] == (
        "2 periods describe fewer than 5 children, so their values are not shown (marked <5); the lines, signals "
        "and this reading use only the periods shown, so that no hidden value can be worked out from them."
    )


def test_a_reading_with_every_value_withheld_says_so() -> None:
    phases = chart_by_phase([None, None, None], [], "run", better="down")

    reading = chart_reading(chart="run", phases=phases, labels=LABELS[:3], values=[None] * 3, withheld=[0, 1, 2])

    assert reading == [
        "3 periods describe fewer than 5 children, so their values are not shown (marked <5); the lines, signals "
        "and this reading use only the periods shown, so that no hidden value can be worked out from them.",
        "No value in the current phase can be shown, so the rules have nothing to read.",
    ]
