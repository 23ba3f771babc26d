"""Measures pages: list (filters, constant queries), create/edit, detail, data entry, annotations,
phases and exports — for members, read-only roles and outsiders."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Annotation, DataPoint, Measure, Phase
from pace_hub.roles import Role
from tests.measures.factories import AnnotationFactory, MeasureFactory, PhaseFactory, monthly_points

pytestmark = pytest.mark.django_db

SHIFTED = [40, 42, 38, 41, 39, 43, 40, 42, 38, 41, 39, 42, 30, 28, 31, 29, 27, 30, 28, 29]


def _url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def _measure_with_data(org, **kwargs) -> Measure:
    measure = MeasureFactory(organisation=org, **kwargs)
    monthly_points(measure, SHIFTED)
    return measure


# --- list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_list_runs_a_constant_number_of_queries(cast, django_assert_num_queries, count) -> None:
    for index in range(count):
        measure = _measure_with_data(cast.org, title=f"Measure {index:02}")
        AnnotationFactory(measure=measure, organisation=cast.org)
    client = cast.client(Role.VIEWER)
    # session, user, membership, switcher; aims (filter and groups); measures, points, phases,
    # annotations; the aims' measures (groups)
    with django_assert_num_queries(10):
        response = client.get(_url("measures", cast.org))
    assert response.status_code == 200
    assert response.content.decode().count('data-measure-chart="spark-') == count
    # Again: the charts come from the chart cache, no points, phases or annotations are read.
    with django_assert_num_queries(7):
        again = client.get(_url("measures", cast.org))
    assert again.content.decode().count('data-measure-chart="spark-') == count


def test_list_shows_latest_value_icons_and_sparkline(cast) -> None:
    _measure_with_data(cast.org, title="Days from panel to ADM", better=Measure.Better.DOWN)
    MeasureFactory(organisation=cast.org, title="Empty measure")

    page = cast.client(Role.MEMBER).get(_url("measures", cast.org)).content.decode()

    assert "Days from panel to ADM" in page and "29 days" in page
    assert "Special cause: improving" in page
    assert "No data yet" in page
    # Members may read but not create.
    assert "New measure" not in page


def test_list_filters_by_kind_signal_and_aim(cast) -> None:
    from aims.models import Aim

    improving = _measure_with_data(cast.org, title="Improving", kind=Measure.Kind.OUTCOME, better="down")
    worsening = _measure_with_data(cast.org, title="Worsening", kind=Measure.Kind.PROCESS, better="up")
    flat = MeasureFactory(organisation=cast.org, title="Flat", kind=Measure.Kind.BALANCING)
    monthly_points(flat, [5, 6, 5, 6, 5, 6])
    aim = Aim.objects.create(organisation=cast.org, title="Permanence in 6 months", outcome_measure=improving)
    aim.measures.add(flat)
    client = cast.client(Role.VIEWER)

    def titles(query: str) -> set[str]:
        page = client.get(_url("measures", cast.org) + query).content.decode()
        return {title for title in ("Improving", "Worsening", "Flat") if f">{title}</a>" in page}

    assert titles("") == {"Improving", "Worsening", "Flat"}
    assert titles("?kind=outcome") == {"Improving"}
    assert titles("?signal=improvement") == {"Improving"}
    assert titles("?signal=concern") == {"Worsening"}
    assert titles("?signal=none") == {"Flat"}
    assert titles(f"?aim={aim.code}") == {"Improving", "Flat"}
    assert worsening.code


def test_list_hides_other_organisations_measures(cast) -> None:
    MeasureFactory(organisation=cast.other_org, title="Renfrewshire secret")

    page = cast.client(Role.ADMIN).get(_url("measures", cast.org)).content.decode()

    assert "Renfrewshire secret" not in page


# --- create and edit ---------------------------------------------------------------------------


def test_lead_creates_a_measure_with_its_operational_definition(cast) -> None:
    client = cast.client(Role.LEAD)
    response = client.post(
        _url("measure_create", cast.org),
        {
            "title": "% of children with a permanence recommendation within 6 months",
            "kind": "outcome",
            "numerator": "Children with a recommendation within 6 months of becoming looked after",
            "denominator": "Children who became looked after and accommodated",
            "inclusions": "First accommodation",
            "exclusions": "Children who returned home within 6 weeks",
            "unit": "%",
            "better": "up",
            "chart": "p",
            "rule_profile": "ihi",
            "period": "month",
            "target": "90",
            "baseline_points": "12",
        },
    )
    measure = Measure.objects.get(organisation=cast.org)
    assert response.status_code == 302 and response["Location"] == _url("measure_data", cast.org, measure.code)
    assert measure.chart == "p" and measure.target == 90 and measure.baseline_points == 12
    assert measure.source == Measure.Source.MANUAL


def test_p_chart_measure_needs_a_denominator_and_a_percentage_target(cast) -> None:
    response = cast.client(Role.DATA).post(
        _url("measure_create", cast.org),
        {
            "title": "P",
            "kind": "outcome",
            "better": "up",
            "chart": "p",
            "rule_profile": "ihi",
            "period": "month",
            "numerator": "Met",
            "target": "150",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "describe both numerator and denominator" in page
    assert "percentage between 0 and 100" in page
    assert not Measure.objects.exists()


def test_edit_measure_and_read_only_roles_are_refused(cast) -> None:
    measure = MeasureFactory(organisation=cast.org, title="Old title")
    url = _url("measure_edit", cast.org, measure.code)
    data = {
        "title": "New title",
        "kind": "process",
        "better": "down",
        "chart": "xmr",
        "rule_profile": "ihi",
        "period": "month",
    }

    assert cast.client(Role.MEMBER).post(url, data).status_code == 403
    assert cast.client(Role.VIEWER).post(url, data).status_code == 403
    assert cast.client("outsider").post(url, data).status_code == 404
    assert cast.client(Role.DATA).post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.title == "New title" and measure.chart == "xmr"


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_chart_reading_table_and_phase_suggestion(cast) -> None:
    measure = _measure_with_data(cast.org, title="Days to ADM", better="down", baseline_points=12)
    AnnotationFactory(measure=measure, organisation=cast.org, text="Test: panel dates booked early")

    page = cast.client(Role.LEAD).get(measure.get_absolute_url()).content.decode()

    assert 'id="measure-chart-data"' in page and "<script>" not in page.replace("<script src=", "")
    assert "8 points below the median since January 2025: a shift — an improvement." in page
    assert "<caption>Days to ADM: Run chart data</caption>" in page
    assert "Test: panel dates booked early" in page
    assert _url("phase_create", cast.org, measure.code) + "?start=2025-01-01" in page


def test_detail_for_a_viewer_has_no_editing_controls(cast) -> None:
    measure = _measure_with_data(cast.org, better="down")

    page = cast.client(Role.VIEWER).get(measure.get_absolute_url()).content.decode()

    assert "Enter data" not in page and "Start a new phase" not in page and "Add annotation" not in page
    assert "What the chart shows" in page


def test_detail_switches_chart_type(cast) -> None:
    measure = _measure_with_data(cast.org)

    page = cast.client(Role.VIEWER).get(measure.get_absolute_url() + "?chart=xmr").content.decode()

    assert "XmR (I chart) data" in page
    assert "P chart" not in page  # no numerators and denominators to draw one


# --- data entry --------------------------------------------------------------------------------


def test_paste_saves_points_and_updates_existing_ones(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    DataPoint.objects.create(
        organisation=cast.org, measure=measure, period=datetime.date(2025, 1, 1), value=1, note="kept"
    )
    response = cast.client(Role.DATA).post(
        _url("measure_paste", cast.org, measure.code),
        {"rows": "Month\tValue\nJan 2025\t12\n2025-02\t14\n01/03/2025\t9"},
    )
    assert response.status_code == 302
    points = list(measure.points.order_by("period").values_list("period", "value", "note"))
    assert points == [
        (datetime.date(2025, 1, 1), 12.0, "kept"),
        (datetime.date(2025, 2, 1), 14.0, ""),
        (datetime.date(2025, 3, 1), 9.0, ""),
    ]


def test_paste_with_errors_saves_nothing_and_says_why(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    response = cast.client(Role.DATA).post(
        _url("measure_paste", cast.org, measure.code), {"rows": "Jan 2025\t12\nFeb 2025\tabc\nSmarch 2025\t3"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "row 2, column value: &#x27;abc&#x27; is not a number" in page
    assert "row 3, column period:" in page
    assert not measure.points.exists()


def test_upload_xlsx_with_numerators_and_denominators(cast) -> None:
    from openpyxl import Workbook

    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.P, unit="%")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Period", "Numerator", "Denominator", "Note"])
    sheet.append([datetime.datetime(2025, 1, 1), 5, 10, "short month"])
    sheet.append(["Feb 2025", 6, 8, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "data.xlsx"
    buffer.seek(0)

    response = cast.client(Role.DATA).post(_url("measure_upload", cast.org, measure.code), {"file": buffer})

    assert response.status_code == 302
    points = list(measure.points.order_by("period"))
    assert [(p.numerator, p.denominator, p.value, p.note) for p in points] == [
        (5, 10, 50.0, "short month"),
        (6, 8, 75.0, ""),
    ]


def test_upload_reports_row_level_errors(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    upload = io.BytesIO(b"period,value\n2025-01,1\n2025-02,2\nJan 2025,3\n2025-04,abc\n")
    upload.name = "data.csv"

    response = cast.client(Role.DATA).post(_url("measure_upload", cast.org, measure.code), {"file": upload})

    page = response.content.decode()
    assert "row 4, column period: the same period as row 2" in page
    assert "row 5, column value: &#x27;abc&#x27; is not a number" in page
    assert not measure.points.exists()


def test_grid_row_saves_one_point_with_htmx_and_shows_inline_errors(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    client = cast.client(Role.LEAD)
    url = _url("measure_point_save", cast.org, measure.code)

    bad = client.post(url, {"index": "0", "period": "2025-01", "value": "lots"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200
    assert 'aria-invalid="true"' in bad.content.decode() and "is not a number" in bad.content.decode()
    assert not measure.points.exists()

    good = client.post(
        url,
        {"index": "0", "period": "2025-01", "value": "7", "note": "Snow", "astronomical": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert good.status_code == 200 and "Saved" in good.content.decode()
    point = measure.points.get()
    assert (point.value, point.note, point.astronomical) == (7.0, "Snow", True)


def test_grid_row_without_htmx_redirects_back(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    response = cast.client(Role.LEAD).post(
        _url("measure_point_save", cast.org, measure.code), {"period": "2025-01", "value": "7"}
    )
    assert response.status_code == 302
    assert measure.points.get().value == 7


def test_point_delete(cast) -> None:
    measure = MeasureFactory(organisation=cast.org, chart=Measure.Chart.P)
    monthly_points(measure, [(1, 2)] * len(SHIFTED))
    response = cast.client(Role.DATA).post(
        _url("measure_point_delete", cast.org, measure.code), {"period": "2024-01-01"}
    )
    assert response.status_code == 302
    assert not measure.points.filter(period=datetime.date(2024, 1, 1)).exists()
    assert measure.points.count() == len(SHIFTED) - 1


def test_derived_measures_are_read_only_for_data_entry(cast) -> None:
    from measures.models import Milestone, Timescale

    first = Milestone.objects.create(organisation=cast.org, code="looked_after", name="Looked after", order=1)
    second = Milestone.objects.create(organisation=cast.org, code="permanence_rec", name="Recommendation", order=2)
    timescale = Timescale.objects.create(
        organisation=cast.org, from_milestone=first, to_milestone=second, target_days=183
    )
    measure = MeasureFactory(organisation=cast.org, source="derived", timescale=timescale, derivation="median_days")
    client = cast.client(Role.ADMIN)

    page = client.get(_url("measure_data", cast.org, measure.code)).content.decode()
    assert "derived from milestone data" in page and "Save pasted data" not in page
    response = client.post(_url("measure_paste", cast.org, measure.code), {"rows": "Jan 2025\t1"})
    assert response.status_code == 403
    assert not measure.points.exists()


def test_members_and_viewers_cannot_enter_data(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    for role in (Role.MEMBER, Role.VIEWER):
        response = cast.client(role).post(_url("measure_paste", cast.org, measure.code), {"rows": "Jan 2025\t1"})
        assert response.status_code == 403
    assert cast.client("outsider").post(_url("measure_paste", cast.org, measure.code), {"rows": "x"}).status_code == 404
    assert not measure.points.exists()


# --- annotations and phases ------------------------------------------------------------------


def test_annotation_create_and_delete(cast) -> None:
    measure = MeasureFactory(organisation=cast.org)
    client = cast.client(Role.LEAD)
    response = client.post(
        _url("annotation_create", cast.org, measure.code),
        {"date": "2025-03-04", "text": "Test: permanence planning meeting at 6 weeks", "link": "/o/x/testing/"},
    )
    assert response.status_code == 302
    annotation = Annotation.objects.get(measure=measure)
    assert annotation.date == datetime.date(2025, 3, 4)

    bad = client.post(
        _url("annotation_create", cast.org, measure.code),
        {"date": "2025-03-04", "text": "x", "link": "javascript:alert(1)"},
    )
    assert "starting with https://" in bad.content.decode()

    assert cast.client(Role.MEMBER).post(_url("annotation_delete", cast.org, annotation.code)).status_code == 403
    assert client.post(_url("annotation_delete", cast.org, annotation.code)).status_code == 302
    assert not Annotation.objects.exists()


def test_phase_create_from_the_suggestion_and_delete(cast) -> None:
    measure = _measure_with_data(cast.org, better="down")
    client = cast.client(Role.DATA)
    form_page = client.get(_url("phase_create", cast.org, measure.code) + "?start=2025-01-01").content.decode()
    assert 'value="2025-01-01"' in form_page

    response = client.post(
        _url("phase_create", cast.org, measure.code),
        {"start": "2025-01-15", "reason": "New panel process adopted", "baseline_points": ""},
    )
    assert response.status_code == 302
    phase = Phase.objects.get(measure=measure)
    assert phase.start == datetime.date(2025, 1, 1)  # the start of its month

    duplicate = client.post(_url("phase_create", cast.org, measure.code), {"start": "2025-01-01", "reason": "Again"})
    assert "A phase already starts" in duplicate.content.decode()

    page = client.get(measure.get_absolute_url()).content.decode()
    assert "The rules read the current phase (since January 2025," in page
    assert 'id="phase-suggestion"' not in page

    assert client.post(_url("phase_delete", cast.org, phase.code)).status_code == 302
    assert not Phase.objects.exists()


def test_phase_and_annotation_of_another_organisation_are_404(cast) -> None:
    other_measure = MeasureFactory(organisation=cast.other_org)
    phase = PhaseFactory(measure=other_measure, organisation=cast.other_org)
    annotation = AnnotationFactory(measure=other_measure, organisation=cast.other_org)
    client = cast.client(Role.ADMIN)

    assert client.post(_url("phase_delete", cast.org, phase.code)).status_code == 404
    assert client.post(_url("annotation_delete", cast.org, annotation.code)).status_code == 404
    assert Phase.objects.exists() and Annotation.objects.exists()


# --- exports -----------------------------------------------------------------------------------


def test_export_csv_and_xlsx_are_safe_from_formula_injection(cast) -> None:
    measure = MeasureFactory(organisation=cast.org, title="Days")
    DataPoint.objects.create(
        organisation=cast.org, measure=measure, period=datetime.date(2025, 1, 1), value=-3, note="=HYPERLINK(1)"
    )
    client = cast.client(Role.VIEWER)

    csv_response = client.get(_url("measure_export_csv", cast.org, measure.code))
    assert csv_response["Content-Disposition"].startswith('attachment; filename="Days-')
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[1] == "2025-01-01,-3.0,,,'=HYPERLINK(1),,"

    xlsx = client.get(_url("measure_export_xlsx", cast.org, measure.code))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[1] == -3 and row[4] == "'=HYPERLINK(1)"
