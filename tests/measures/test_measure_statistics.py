"""Measures with the charts of DESIGN.md §4b: the payload every chart type fills alike, the
readings in plain words, data entry of counts, rates and gaps between events, the chart chooser
on the measure form — for members, read-only roles and outsiders."""

import datetime
import json

import pytest
from django.urls import reverse

from measures.charts import available_charts, chart_payload
from measures.data_entry import parse_paste
from measures.forms import MeasureForm, PasteForm, PointForm
from measures.models import DataPoint, Measure
from pace_hub.roles import Role
from tests.measures.factories import MeasureFactory, monthly_points
from tests.measures.test_analysis_laney import OVERDISPERSED_D, OVERDISPERSED_N

pytestmark = pytest.mark.django_db

PHASE_KEYS = {"centre", "ucl", "lcl", "sigma2_upper", "sigma2_lower", "offset", "stop", "baseline_stop", "trial_limits"}
TODAY = datetime.date(2026, 6, 15)


def _events(measure: Measure, days: list[float], start: datetime.date = datetime.date(2024, 1, 3)) -> list[DataPoint]:
    points, day = [], start
    for gap in days:
        day = day + datetime.timedelta(days=int(gap))
        points.append(DataPoint(organisation=measure.organisation, measure=measure, period=day, value=gap))
    return DataPoint.objects.bulk_create(points)


def test_c_chart_payload_fills_the_same_keys_as_every_chart(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.C, unit="disruptions", better="down")
    points = monthly_points(measure, [3, 5, 2, 4, 6, 3, 1, 4, 7, 2, 3, 5])

    payload = chart_payload(measure, points)

    json.dumps(payload)
    assert payload["chart"] == "c" and payload["centre_name"] == "mean"
    phase = payload["phases"][0]
    assert set(phase) >= PHASE_KEYS
    assert phase["centre"] == [pytest.approx(3.75)] * 12
    assert phase["ucl"] == [pytest.approx(9.559475, abs=1e-6)] * 12
    assert phase["lcl"] == [0.0] * 12
    assert phase["sigma2_lower"] == [0.0] * 12
    assert payload["step_lines"] is False and payload["y_from_zero"] is True
    assert "Only common cause variation: no point is unusual against the limits." in payload["reading"]


def test_u_chart_payload_shows_rates_per_hundred(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.U, unit="", rate_per=100, better="down")
    points = monthly_points(measure, [(3, 50), (5, 100), (2, 40), (4, 80)])

    payload = chart_payload(measure, points)

    assert [point["y"] for point in payload["points"]] == pytest.approx([6.0, 5.0, 5.0, 5.0])
    phase = payload["phases"][0]
    assert phase["centre"][0] == pytest.approx(100 * 14 / 270)
    assert phase["ucl"] == pytest.approx([14.8461, 12.0165, 15.9864, 12.8228], abs=1e-4)
    assert payload["step_lines"] is True
    assert (payload["numerator_label"], payload["denominator_label"]) == ("Count", "Exposure")
    assert payload["unit"] == "per 100" and payload["y_title"] == "Rate per 100"
    assert "The limits are trial limits: the baseline has fewer than 12 points." in payload["reading"]


def test_p_prime_payload_reads_laneys_correction(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.P_PRIME, better="up", unit="%")
    points = monthly_points(measure, list(zip(OVERDISPERSED_N, OVERDISPERSED_D, strict=True)))

    payload = chart_payload(measure, points)

    assert payload["signals"] == []
    assert payload["phases"][0]["sigma_z"] == pytest.approx(3.90, abs=0.01)
    assert payload["phases"][0]["ucl"][0] == pytest.approx(92.70, abs=0.01)
    assert (
        "The points vary 3.9 times as much from period to period as a P chart expects (overdispersion), so Laney's "
        "limits are that much wider." in payload["reading"]
    )
    as_p = chart_payload(measure, points, chart="p")
    assert len([point for point in as_p["points"] if point["signal"] == "beyond_limit"]) == 11


def test_g_chart_reads_the_latest_gap_in_words(org) -> None:
    measure = MeasureFactory(
        organisation=org,
        chart=Measure.Chart.G,
        period=Measure.Period.EVENT,
        unit="days",
        better="up",
        event_name="placement disruptions",
        baseline_points=12,
    )
    points = _events(measure, [12, 40, 7, 65, 22, 9, 31, 18, 25, 14, 33, 20, 150])

    payload = chart_payload(measure, points)

    assert payload["centre_name"] == "median" and payload["per_event"] is True
    assert payload["phases"][0]["sigma2_upper"] is None
    assert payload["points"][-1]["signal"] == "beyond_limit"
    assert payload["reading"][1] == (
        "150 days between the last two placement disruptions — the longest gap yet: an improvement."
    )
    assert payload["points"][0]["label"] == "15 January 2024"
    assert payload["variation"]["code"] == "special_cause_improving"


def test_t_chart_payload_is_back_transformed(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.T, period="event", unit="days", better="up")
    points = _events(measure, [12, 40, 7, 65, 22, 9, 31, 18])

    payload = chart_payload(measure, points)

    phase = payload["phases"][0]
    assert phase["centre"][0] == pytest.approx(21.316881, abs=1e-6)
    assert phase["ucl"][0] == pytest.approx(232.487089, abs=1e-6)
    assert payload["reading"][1] == "18 days between the last two events."


def test_charts_without_the_data_they_need_fall_back_to_a_run_chart(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.U)
    points = monthly_points(measure, [4, 5, 6])

    assert chart_payload(measure, points)["chart"] == "run"
    assert [value for value, _ in available_charts(measure, points)] == ["run", "xmr"]
    proportions = MeasureFactory(organisation=org, chart=Measure.Chart.P)
    paired = monthly_points(proportions, [(3, 10), (4, 10)])
    assert [value for value, _ in available_charts(proportions, paired)] == ["run", "xmr", "p", "p_prime"]


def test_a_negative_count_stored_by_hand_is_explained_not_a_crash(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.C)
    points = monthly_points(measure, [3, -2, 4])

    payload = chart_payload(measure, points)

    assert payload["chart"] == "run"
    assert (
        payload["error"]
        == "These data cannot be charted as a C chart (count of events): point 1: a count cannot be negative (-2)."
    )


# Data entry -----------------------------------------------------------------------------------


def test_rate_rows_name_count_and_exposure_in_their_errors() -> None:
    result = parse_paste(
        "Jan 2025\t3\t400\nFeb 2025\t-1\t400\nMar 2025\t2\t0\nApr 2025\t2.5\t10", kind="rate", today=TODAY
    )

    assert result.rows[0].numerator == 3 and result.rows[0].denominator == 400
    assert result.errors == [
        "row 2, column count: it cannot be negative",
        "row 3, column exposure: it must be more than 0",
        "row 4, column count: a count is a whole number (2.5)",
    ]


def test_counts_must_be_whole_and_gaps_not_negative() -> None:
    counts = parse_paste("Jan 2025\t3\nFeb 2025\t1.5\nMar 2025\t-2", kind="count", today=TODAY)
    assert counts.errors == [
        "row 2, column value: a count is a whole number of 0 or more (1.5)",
        "row 3, column value: a count is a whole number of 0 or more (-2)",
    ]
    gaps = parse_paste("03/02/2025\t-4", kind="event", frequency="event", today=TODAY)
    assert gaps.errors == ["row 1, column value: the days or cases between events cannot be negative"]


def test_events_need_their_full_date_and_one_a_day() -> None:
    result = parse_paste("Feb 2025\t4\n03/02/2025\t5\n2025-02-03\t6", kind="event", frequency="event", today=TODAY)

    assert result.errors == [
        "row 1, column period: 'Feb 2025' is not the full date of an event (try 03/02/2025 or 2025-02-03)",
        "row 3, column period: the same date as row 2",
    ]
    assert result.rows[0].period == datetime.date(2025, 2, 3)


def test_times_between_events_are_worked_out_from_the_dates() -> None:
    result = parse_paste(
        "10/02/2025\n03/02/2025\t7\n20/03/2025\n",
        kind="event",
        frequency="event",
        today=TODAY,
        fill_days=True,
        known_events=[datetime.date(2025, 1, 1)],
    )

    assert not result.errors
    assert [(row.period.isoformat(), row.value) for row in result.rows] == [
        ("2025-02-10", 7.0),
        ("2025-02-03", 7.0),
        ("2025-03-20", 38.0),
    ]
    first = parse_paste("10/02/2025", kind="event", frequency="event", today=TODAY, fill_days=True)
    assert first.errors == [
        "row 1, column value: enter the days since the event before (there is no earlier event to count from)"
    ]


def test_uploads_name_the_columns_of_each_kind() -> None:
    from measures.data_entry import parse_upload

    rates = parse_upload("r.csv", b"Period,Count,Exposure\n2025-01,3,400\n", kind="rate", today=TODAY)
    assert rates.ok and rates.rows[0].denominator == 400
    missing = parse_upload("r.csv", b"Period,Value\n2025-01,3\n", kind="rate", today=TODAY)
    assert missing.errors[0].startswith("The first row must name the columns; missing: count, exposure")
    dates = parse_upload(
        "t.csv", b"Event date\n2025-01-01\n2025-01-09\n", kind="event", frequency="event", today=TODAY, fill_days=True
    )
    assert [row.value for row in dates.rows[1:]] == [8.0]
    assert dates.errors == [
        "row 2, column value: enter the days since the event before (there is no earlier event to count from)"
    ]


def test_measure_form_requires_what_each_chart_needs(org) -> None:
    base = {"title": "Disruptions", "kind": "process", "better": "up", "rule_profile": "ihi", "rate_per": 1}

    g = MeasureForm({**base, "chart": "g", "period": "month"})
    assert not g.is_valid()
    assert g.errors["period"] == ["A G chart has one point per event: choose “At each event (G and T charts)”."]
    u = MeasureForm({**base, "chart": "u", "period": "month", "numerator": "Disruptions"})
    assert u.errors["denominator"][0].startswith("A U chart counts events against an exposure")
    c = MeasureForm({**base, "chart": "c", "period": "event"})
    assert c.errors["period"] == ["A C chart has one point per period; data entered at each event suit a G or T chart."]
    p = MeasureForm(
        {**base, "chart": "p_prime", "period": "month", "numerator": "a", "denominator": "b", "target": 120}
    )
    assert p.errors["target"] == ["For a P′ chart the target is a percentage between 0 and 100."]
    ok = MeasureForm({**base, "chart": "t", "period": "event", "unit": "days", "event_name": "placement disruptions"})
    assert ok.is_valid(), ok.errors


def test_point_form_checks_rates_counts_and_gaps(org) -> None:
    rate = MeasureFactory(organisation=org, chart=Measure.Chart.U, rate_per=100)
    form = PointForm({"period": "2025-01", "numerator": "3", "denominator": "0"}, measure=rate)
    assert not form.is_valid() and form.errors["denominator"] == ["The exposure must be more than 0."]
    good = PointForm({"period": "2025-01", "numerator": "3", "denominator": "400"}, measure=rate)
    assert good.is_valid() and good.cleaned_data["value"] == pytest.approx(0.75)
    count = MeasureFactory(organisation=org, chart=Measure.Chart.C)
    assert PointForm({"period": "2025-01", "value": "2.5"}, measure=count).errors["value"] == [
        "A count is a whole number of 0 or more (2.5)."
    ]
    gap = MeasureFactory(organisation=org, chart=Measure.Chart.G, period="event")
    assert PointForm({"period": "03/02/2025", "value": "-1"}, measure=gap).errors["value"] == [
        "The days or cases between events cannot be negative."
    ]
    assert "full date" in PointForm({"period": "Feb 2025", "value": "1"}, measure=gap).errors["period"][0]


def test_paste_form_for_a_t_chart_counts_from_stored_events(org) -> None:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.T, period="event", unit="days")
    _events(measure, [10])  # an event on 13 January 2024
    form = PasteForm({"rows": "20/01/2024\n"}, measure=measure)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["rows"].rows[0].value == 7.0
    assert "Leave the days out" in form.fields["rows"].help_text


# Pages ----------------------------------------------------------------------------------------


def _url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def test_a_data_lead_creates_a_u_chart_measure_and_enters_counts_and_exposures(cast) -> None:
    client = cast.client(Role.DATA)
    response = client.post(
        _url("measure_create", cast.org),
        {
            "title": "Placement disruptions per 100 children",
            "kind": "balancing",
            "numerator": "Placement disruptions in the month",
            "denominator": "Children looked after and accommodated on the first of the month",
            "unit": "per 100 children",
            "better": "down",
            "chart": "u",
            "rule_profile": "ihi",
            "period": "month",
            "rate_per": "100",
        },
    )
    measure = Measure.objects.get(title="Placement disruptions per 100 children")
    assert response.status_code == 302 and measure.rate_per == 100 and measure.data_kind == "rate"

    page = client.get(_url("measure_data", cast.org, measure.code)).content.decode()
    assert "Each period needs a count of events and the exposure" in page
    assert '<th scope="col">Count</th><th scope="col">Exposure</th>' in page

    pasted = client.post(_url("measure_paste", cast.org, measure.code), {"rows": "Jan 2025\t3\t412\nFeb 2025\t5\t420"})
    assert pasted.status_code == 302
    # The value kept beside the count and exposure is the rate as drawn: per 100.
    assert measure.points.get(period=datetime.date(2025, 1, 1)).value == pytest.approx(300 / 412)
    row = client.post(
        _url("measure_point_save", cast.org, measure.code),
        {"period": "2025-03", "numerator": "4", "denominator": "400"},
    )
    assert row.status_code == 302
    assert measure.points.get(period=datetime.date(2025, 3, 1)).numerator == 4

    detail = client.get(_url("measure_detail", cast.org, measure.code)).content.decode()
    assert "U chart (events per exposure)" in detail
    assert "per 100" in detail
    listing = client.get(_url("measures", cast.org)).content.decode()
    assert "1 per 100 children" in listing  # the latest rate: 4 of 400, per 100


def test_bad_rows_on_the_form_are_explained(cast) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.U, rate_per=100)
    response = cast.client(Role.DATA).post(_url("measure_paste", cast.org, measure.code), {"rows": "Jan 2025\t3\t0"})

    assert response.status_code == 400
    assert "row 1, column exposure: it must be more than 0" in response.content.decode()
    assert not measure.points.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEAD, Role.DATA])
def test_the_chart_chooser_answers_those_who_manage_measures(cast, role) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.P, numerator="a", denominator="b")
    monthly_points(measure, list(zip(OVERDISPERSED_N, OVERDISPERSED_D, strict=True)))

    response = cast.client(role).get(
        _url("measure_chooser", cast.org),
        {"measure": measure.code, "chart": "p", "denominator": "b", "unit": "%", "period": "month"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Suggested: P′ chart." in page
    assert "Denominators of 400–900: most points fall outside P chart limits (overdispersion)" in page


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_the_chart_chooser_is_refused_to_roles_without_measures(cast, role) -> None:
    assert cast.client(role).get(_url("measure_chooser", cast.org)).status_code == 403


def test_the_chart_chooser_keeps_to_the_organisation(cast) -> None:
    foreign = MeasureFactory(organisation=cast.other_org)
    response = cast.client(Role.DATA).get(_url("measure_chooser", cast.org), {"measure": foreign.code})
    assert response.status_code == 404
    assert cast.client("outsider").get(_url("measure_chooser", cast.org)).status_code == 404


def test_the_measure_form_shows_the_suggestion_and_warnings(cast) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.RUN)
    monthly_points(measure, [4, 6, 5])

    page = cast.client(Role.LEAD).get(_url("measure_edit", cast.org, measure.code)).content.decode()

    assert 'data-testid="chart-chooser"' in page
    assert "Suggested: XmR chart." in page
    assert "Only 2 useful observations (points off the median): the runs rules need at least 10." in page
    new = cast.client(Role.LEAD).get(_url("measure_create", cast.org)).content.decode()
    assert "Suggested: XmR chart." in new


@pytest.mark.parametrize("role", [Role.ADMIN, Role.LEAD, Role.DATA, Role.MEMBER, Role.VIEWER])
def test_every_role_reads_a_g_chart_page(cast, role) -> None:
    measure = MeasureFactory(
        organisation=cast.org, chart="g", period="event", unit="days", better="up", event_name="placement disruptions"
    )
    _events(measure, [12, 40, 7, 65, 22, 9, 31, 18, 25, 14, 33, 20, 150])

    page = cast.client(role).get(_url("measure_detail", cast.org, measure.code)).content.decode()

    assert "150 days between the last two placement disruptions" in page
    assert "G chart (cases or days between rare events)" in page
