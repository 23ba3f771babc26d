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
    phases = chart_by_phase(values, list(starts), chart, better=better)
    return chart_reading(chart=chart, phases=phases, labels=LABELS[: len(values)], **kwargs)


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

    assert reading[0] == "August 2025 is above the upper control limit: a special cause — a concern."
    assert "The limits are trial limits: the baseline has fewer than 12 points." in reading
    assert reading[-1].startswith("The target (1 day) lies outside the limits on the wrong side")


def test_common_cause_control_chart() -> None:
    values = [10, 11, 10, 12, 10, 11, 9, 11, 10, 12, 10, 11, 10]

    reading = _reading(values, chart="xmr")

    assert reading[0] == "Only common cause variation: no point is unusual against the limits."


def test_only_the_latest_phase_is_read() -> None:
    values = [10, 12, 11, 13, 10, 12, 11, 13, 5, 4, 6, 5, 4, 6, 5, 4]

    reading = _reading(values, starts=[8])

    assert reading[0] == "Reading the current phase, which began in September 2025."
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
