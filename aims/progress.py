"""The IHI progress score (0.5–5.0): a suggestion computed from data and testing activity.

A person confirms the score; this only proposes one, with the reason, so the leads group can
discuss it. Pure function: the caller gathers the counts and the outcome measure's values.
"""

from collections.abc import Sequence
from dataclasses import dataclass

DESCRIPTIONS: dict[str, str] = {
    "0.5": "Intent to participate",
    "1.0": "Forming team",
    "1.5": "Planning for the project has begun",
    "2.0": "Activity, but no changes",
    "2.5": "Changes tested, but no improvement",
    "3.0": "Modest improvement",
    "3.5": "Improvement",
    "4.0": "Significant improvement",
    "4.5": "Sustainable improvement",
    "5.0": "Outstanding sustainable results",
}

# How many latest points must meet the target for the result to count as sustained.
SUSTAINED_POINTS = 3
OUTSTANDING_POINTS = 6


@dataclass(frozen=True)
class ProgressSuggestion:
    score: str
    reason: str

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.score]


def _meets(value: float, target: float, better: str) -> bool:
    return value <= target if better == "down" else value >= target


def _points_meeting_target(values: list[float], target: float, better: str) -> int:
    """How many of the latest points in a row meet the target."""
    count = 0
    for value in reversed(values):
        if not _meets(value, target, better):
            break
        count += 1
    return count


def progress_fraction(*, latest: float | None, baseline: float | None, target: float | None) -> float | None:
    """How far the latest value has moved from the baseline towards the target (0 = none, 1 = met)."""
    if latest is None or baseline is None or target is None or target == baseline:
        return None
    return (latest - baseline) / (target - baseline)


def suggest_progress_score(
    *,
    has_team: bool,
    driver_count: int,
    idea_count: int,
    cycle_count: int,
    values: Sequence[float | None] = (),
    baseline_value: float | None = None,
    target_value: float | None = None,
    better: str = "up",
    improvement_signal: bool = False,
) -> ProgressSuggestion:
    """Suggest a score from the testing activity and the outcome measure's data.

    ``improvement_signal`` is whether the outcome measure's chart shows a signal in the better
    direction (a shift, trend or special cause); ``values`` are its points in time order.
    """
    present = [value for value in values if value is not None]
    if idea_count == 0:
        if driver_count:
            return ProgressSuggestion("1.5", "The driver diagram is started but no change ideas are recorded yet.")
        if has_team:
            return ProgressSuggestion("1.0", "A lead or aims group is named; no drivers or change ideas yet.")
        return ProgressSuggestion("0.5", "No lead, aims group, drivers or change ideas yet.")
    if cycle_count == 0:
        return ProgressSuggestion("2.0", "Change ideas are recorded but none has been tested in a PDSA cycle yet.")
    if not improvement_signal:
        return ProgressSuggestion(
            "2.5", "Change ideas are being tested, but the outcome measure shows no improvement signal yet."
        )
    if present and target_value is not None:
        met = _points_meeting_target(present, target_value, better)
        if met >= OUTSTANDING_POINTS:
            return ProgressSuggestion("5.0", f"The target has been met for the last {met} points in a row.")
        if met >= SUSTAINED_POINTS:
            return ProgressSuggestion("4.5", f"The target has been met for the last {met} points in a row.")
        if met >= 1:
            return ProgressSuggestion("4.0", "The latest point meets the target, but it is not sustained yet.")
    fraction = progress_fraction(latest=present[-1] if present else None, baseline=baseline_value, target=target_value)
    if fraction is not None and fraction >= 0.5:
        return ProgressSuggestion(
            "3.5", f"An improvement signal, and {fraction:.0%} of the way from the baseline to the target."
        )
    return ProgressSuggestion("3.0", "An improvement signal on the outcome measure; the target is still some way off.")
