import pytest

from aims.progress import DESCRIPTIONS, progress_fraction, suggest_progress_score

BASE = {"has_team": True, "driver_count": 4, "baseline_value": 50.0, "target_value": 90.0, "better": "up"}


def test_no_team_no_drivers_no_ideas_is_intent_only() -> None:
    assert suggest_progress_score(has_team=False, driver_count=0, idea_count=0, cycle_count=0).score == "0.5"


def test_a_team_without_ideas_is_forming() -> None:
    assert suggest_progress_score(has_team=True, driver_count=0, idea_count=0, cycle_count=0).score == "1.0"


def test_drivers_without_ideas_means_planning_has_begun() -> None:
    assert suggest_progress_score(has_team=True, driver_count=3, idea_count=0, cycle_count=0).score == "1.5"


def test_ideas_but_no_cycles_is_activity_without_changes() -> None:
    assert suggest_progress_score(**BASE, idea_count=2, cycle_count=0).score == "2.0"


def test_cycles_without_an_improvement_signal() -> None:
    suggestion = suggest_progress_score(**BASE, idea_count=2, cycle_count=3, values=[50, 52, 49, 51])
    assert suggestion.score == "2.5"
    assert suggestion.description == "Changes tested, but no improvement"


def test_an_improvement_signal_short_of_half_way_is_modest() -> None:
    suggestion = suggest_progress_score(
        **BASE, idea_count=2, cycle_count=3, values=[50, 55, 60], improvement_signal=True
    )
    assert suggestion.score == "3.0"


def test_an_improvement_signal_past_half_way_is_improvement() -> None:
    suggestion = suggest_progress_score(
        **BASE, idea_count=2, cycle_count=3, values=[50, 60, 75], improvement_signal=True
    )
    assert suggestion.score == "3.5"
    assert "62%" in suggestion.reason


def test_target_met_once_is_significant_then_sustained_then_outstanding() -> None:
    common = {**BASE, "idea_count": 2, "cycle_count": 5, "improvement_signal": True}
    assert suggest_progress_score(**common, values=[50, 70, 80, 91]).score == "4.0"
    assert suggest_progress_score(**common, values=[50, 70, 91, 92, None, 95]).score == "4.5"
    assert suggest_progress_score(**common, values=[50, 91, 92, 93, 94, 95, 96]).score == "5.0"
    # A dip below the target breaks the run that counts as sustained.
    assert suggest_progress_score(**common, values=[91, 92, 93, 80, 94]).score == "4.0"


def test_lower_is_better_targets() -> None:
    common = {**BASE, "baseline_value": 200.0, "target_value": 120.0, "better": "down", "idea_count": 1}
    assert (
        suggest_progress_score(**common, cycle_count=2, values=[200, 110, 115, 100], improvement_signal=True).score
        == "4.5"
    )
    assert suggest_progress_score(**common, cycle_count=2, values=[200, 150], improvement_signal=True).score == "3.5"


def test_every_suggestion_is_on_the_scale() -> None:
    assert set(DESCRIPTIONS) == {"0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0", "4.5", "5.0"}


@pytest.mark.parametrize(
    ("latest", "baseline", "target", "expected"),
    [
        (72.5, 55, 90, 0.5),
        (55, 55, 90, 0.0),
        (100, 55, 90, 9 / 7),
        (150, 200, 100, 0.5),
        (None, 55, 90, None),
        (1, 5, 5, None),
    ],
)
def test_progress_fraction(latest, baseline, target, expected) -> None:
    assert progress_fraction(latest=latest, baseline=baseline, target=target) == pytest.approx(expected)
