"""The chart chooser (DESIGN.md §4b): the suggestion, its one-sentence reason, and the warnings
when the data are too few for the chart chosen."""

from measures.analysis import data_warnings, suggest_chart
from tests.measures.test_analysis_laney import OVERDISPERSED_D, OVERDISPERSED_N


def test_a_value_suggests_xmr() -> None:
    suggestion = suggest_chart(values=[12, 14, 11])

    assert suggestion.chart == "xmr"
    assert suggestion.reason == "A single value each period: an XmR chart adds control limits to the run chart's rules."
    assert suggestion.name == "XmR chart"


def test_large_overdispersed_denominators_suggest_p_prime_and_say_why() -> None:
    suggestion = suggest_chart(
        chosen="p", denominator_defined=True, numerators=OVERDISPERSED_N, denominators=OVERDISPERSED_D
    )

    assert suggestion.chart == "p_prime"
    assert suggestion.reason == (
        "Denominators of 400–900: most points fall outside P chart limits (overdispersion), so a P′ chart is suggested."
    )


def test_small_denominators_keep_the_p_chart() -> None:
    suggestion = suggest_chart(
        denominator_defined=True, numerators=[5, 7, 6, 4, 8], denominators=[10, 12, 11, 9, 13], chosen="run"
    )

    assert suggestion.chart == "p"
    assert "denominator" in suggestion.reason


def test_counts_over_an_exposure_suggest_u_or_u_prime() -> None:
    plain = suggest_chart(denominator_defined=True, unit="per 100 children", numerators=[3, 5], denominators=[400, 420])
    assert plain.chart == "u"
    assert plain.reason.startswith("Events counted against an exposure")
    counts = [300, 520, 210, 600, 250, 580, 330, 490, 240, 550]
    exposures = [4000, 5000, 4500, 6000, 4200, 5800, 4700, 5200, 4300, 5600]
    laney = suggest_chart(chosen="u", numerators=counts, denominators=exposures)
    assert laney.chart == "u_prime"
    assert laney.reason.startswith("Denominators of 4,000–6,000: most points fall outside U chart limits")


def test_counts_above_their_denominator_can_only_be_a_rate() -> None:
    assert suggest_chart(denominator_defined=True, numerators=[30, 12], denominators=[10, 10]).chart == "u"


def test_a_count_suggests_c_and_events_suggest_g_or_t() -> None:
    assert suggest_chart(chosen="c", values=[3, 4]).chart == "c"
    times = suggest_chart(per_event=True, unit="days")
    assert times.chart == "t" and times.reason.startswith("Times between rare events are skewed")
    cases = suggest_chart(per_event=True, unit="children placed")
    assert cases.chart == "g" and "geometric" in cases.reason


def test_warnings_for_too_few_baseline_points_and_useful_observations() -> None:
    assert data_warnings("xmr", values=[1, 2, 3]) == [
        "Only 3 baseline points: the limits are trial limits until there are 12."
    ]
    assert data_warnings("xmr", values=list(range(20)), baseline=8) == [
        "Only 8 baseline points: the limits are trial limits until there are 12."
    ]
    assert data_warnings("xmr", values=list(range(12))) == []
    assert data_warnings("run", values=[1, 2, 3, 2, 1, 2]) == [
        "Only 3 useful observations (points off the median): the runs rules need at least 10."
    ]
    assert data_warnings("run", values=[1, 5] * 6) == []
    assert data_warnings("t", values=[4]) == ["Only 1 baseline point: a T chart needs at least 2 for limits."]
    assert data_warnings("p", values=[]) == [
        "No data yet: the P chart's limits stay trial limits until 12 baseline points."
    ]


def test_warnings_when_the_data_do_not_fit_the_chart() -> None:
    assert data_warnings("p", values=[10, 12]) == [
        "A P chart needs a numerator and a denominator for every point; these data have single values."
    ]
    assert data_warnings("u_prime", values=[1]) == [
        "A U′ chart needs a count and an exposure for every point; these data have single values."
    ]
    warnings = data_warnings("p", numerators=[12, 3], denominators=[10, 10])
    assert warnings[0] == "A P chart needs numerators no larger than their denominators; some are larger."


def test_the_suggestion_carries_the_warnings_for_the_chosen_chart() -> None:
    suggestion = suggest_chart(chosen="run", values=[3, 4, 5])

    assert suggestion.chart == "xmr"
    assert suggestion.warnings == [
        "Only 2 useful observations (points off the median): the runs rules need at least 10."
    ]
