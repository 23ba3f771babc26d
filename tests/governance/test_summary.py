"""The live governance summary (governance.selectors.summary): aims, timescales, activity,
freshness, the small-number rules for viewers, the snapshot form and constant queries."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.models import Aim
from governance.selectors.summary import governance_summary
from measures.milestones import derived
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Measure, MilestoneImport, Timescale
from pdsa.models import ChangeIdea, Feedback, PDSACycle
from tests.aims.factories import AimFactory
from tests.governance.builders import child_dates, fill, outcome_aim
from tests.measures.factories import DataPointFactory, MilestoneImportFactory
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, ImplementationFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def _summary(org, *, viewer=False, **kwargs):
    return governance_summary(org, viewer=viewer, today=kwargs.pop("today", timezone.localdate()), **kwargs)


def test_every_active_aim_is_a_row_with_its_latest_value_target_icons_and_sparkline(cast) -> None:
    aim = outcome_aim(cast.org, "Permanence recommendation within 6 months", kind=Aim.Kind.NATIONAL)
    AimFactory(organisation=cast.org, title="A draft aim", status=Aim.Status.DRAFT)
    outcome_aim(cast.other_org, "Another council's aim")
    AimFactory(organisation=cast.org, title="Aim without a measure", status=Aim.Status.ACTIVE, progress_score="")

    rows = {row.title: row for row in _summary(cast.org).aims}

    assert set(rows) == {"Permanence recommendation within 6 months", "Aim without a measure"}
    row = rows[aim.title]
    assert row.statement == aim.statement and row.url == aim.get_absolute_url()
    assert row.kind == "PACE national aim" and row.status_label == "Active"
    assert (row.progress_score, row.progress_label) == ("3.5", "Improvement")
    assert row.target_text == "90% by Mar 2027"
    # The last month: 15 of 19 children.
    assert row.latest.text == "78.9%" and row.latest.period == "December 2025" and not row.latest.suppressed
    assert row.latest.variation["code"] == "special_cause_improving"
    assert row.latest.assurance["code"] == "consistently_failing"
    assert len(row.sparkline.values) == 24 and row.sparkline.target == 90
    assert row.sparkline.values[-1] == pytest.approx(100 * 15 / 19)
    assert "<polyline" in row.sparkline_svg and 'stroke-dasharray="4 3"' in row.sparkline_svg
    assert "December 2025" in row.sparkline_svg and "target 90%" in row.sparkline_svg

    bare = rows["Aim without a measure"]
    assert bare.latest.text == "No outcome measure" and bare.sparkline is None and bare.sparkline_svg == ""
    assert bare.progress_label == "Not scored yet"


def test_aims_given_narrow_the_rows_and_never_leave_the_organisation(cast) -> None:
    retired = outcome_aim(cast.org, "Retired aim", status=Aim.Status.RETIRED)
    outcome_aim(cast.org, "Active aim")
    foreign = outcome_aim(cast.other_org, "Another council's aim")

    rows = _summary(cast.org, aims=[retired, foreign.pk]).aims

    assert [(row.title, row.status_label) for row in rows] == [("Retired aim", "Retired")]


def test_viewers_see_small_numbers_of_children_withheld_and_never_as_zero(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    # Two children past the 183-day target without a permanence recommendation; one reached it.
    child_dates(org, "C-1", looked_after=200)
    child_dates(org, "C-2", looked_after=300)
    child_dates(org, "C-3", looked_after=250, permanence_rec=40)
    derived.derived_measures_recompute(organisation=org, today=timezone.localdate())

    full = _summary(org, viewer=False)
    viewer = _summary(org, viewer=True)

    def tile(summary):
        return next(t for t in summary.timescales if t.name == "Looked after to permanence recommendation")

    assert (tile(full).waiting, tile(full).waiting_count) == ("2", 2)
    assert (tile(viewer).waiting, tile(viewer).waiting_count, tile(viewer).waiting_noun) == ("<5", None, "children")
    # The median of one child's days is that child's own timescale: withheld, not zero.
    assert tile(full).median_days.text == "210 days" and not tile(full).median_days.suppressed
    assert tile(viewer).median_days.text == "not shown" and tile(viewer).median_days.suppressed
    assert tile(viewer).median_days.period  # the month is still named
    # A viewer's chart is read without the withheld values (an icon on a hidden month would say
    # how it compares): no variation icon where every point is withheld.
    assert tile(full).median_days.variation is not None
    assert tile(viewer).median_days.variation is None
    assert viewer.freshness.completeness_count is None and full.freshness.completeness_count == 0
    assert any("<5" in note for note in viewer.notes) and not full.notes

    snapshot = json.dumps(viewer.as_snapshot())
    assert '"waiting": "<5"' in snapshot and '"waiting_count": null' in snapshot
    # Nowhere in it as a figure (codes are random hex, so a plain substring check would be flaky).
    assert 210 not in list(_values(viewer.as_snapshot())) and "210 day" not in snapshot


def _values(data):
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    else:
        yield data


def test_a_withheld_point_is_a_gap_in_the_sparkline_not_a_zero(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    waiting = Measure.objects.get(timescale=timescale, derivation=Measure.Derivation.WAITING)
    for month, value in [(1, 12), (2, 3), (3, 9)]:
        DataPointFactory(measure=waiting, period=datetime.date(2026, month, 1), value=value)
    aim = AimFactory(organisation=org, status=Aim.Status.ACTIVE, outcome_measure=waiting, unit="children")

    viewer = next(row for row in _summary(org, viewer=True).aims if row.code == str(aim.code))
    lead = next(row for row in _summary(org, viewer=False).aims if row.code == str(aim.code))

    assert lead.sparkline.values == [12, 3, 9]
    assert viewer.sparkline.values == [12, None, 9] and viewer.sparkline.suppressed == [False, True, False]
    assert "1 withheld (fewer than 5 children)" in viewer.sparkline_svg
    assert viewer.latest.text == "9 children"


def test_testing_implementation_and_listening_count_the_period(cast) -> None:
    org = cast.org
    idea = ChangeIdeaFactory(organisation=org, status=ChangeIdea.Status.TESTING)
    ChangeIdeaFactory(organisation=org, status=ChangeIdea.Status.PARKED)
    ChangeIdeaFactory(organisation=cast.other_org, status=ChangeIdea.Status.PARKED)
    start, end = datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)
    PDSACycleFactory(organisation=org, change_idea=idea, start_date=datetime.date(2026, 4, 2))
    PDSACycleFactory(organisation=org, change_idea=idea, start_date=datetime.date(2026, 3, 1), status="study")
    PDSACycleFactory(
        organisation=org,
        change_idea=idea,
        status=PDSACycle.Status.COMPLETE,
        start_date=datetime.date(2026, 2, 1),
        end_date=datetime.date(2026, 5, 1),
    )
    PDSACycleFactory(  # completed before the period
        organisation=org,
        change_idea=idea,
        status=PDSACycle.Status.COMPLETE,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 2, 1),
    )
    ImplementationFactory(organisation=org, change_idea__organisation=org, decided_on=datetime.date(2026, 4, 10))
    ImplementationFactory(
        organisation=org,
        change_idea__organisation=org,
        decided_on=datetime.date(2026, 1, 10),
        started_on=datetime.date(2026, 4, 20),
    )
    ImplementationFactory(
        organisation=org,
        change_idea__organisation=org,
        decided_on=datetime.date(2025, 9, 1),
        started_on=datetime.date(2025, 10, 1),
        live_on=datetime.date(2026, 6, 1),
    )
    FeedbackFactory(organisation=org, voice=Feedback.Voice.CHILD, received_on=datetime.date(2026, 5, 1))
    FeedbackFactory(
        organisation=org, voice=Feedback.Voice.INFANT, received_on=datetime.date(2026, 5, 2), response="We did"
    )
    FeedbackFactory(organisation=org, voice=Feedback.Voice.CARER, received_on=datetime.date(2026, 1, 2))
    FeedbackFactory(organisation=cast.other_org, received_on=datetime.date(2026, 5, 1))

    summary = _summary(org, today=TODAY, period_start=start, period_end=end)

    testing = summary.testing
    assert (testing.cycles_started, testing.cycles_completed, testing.cycles_in_study_or_act) == (1, 1, 1)
    by_status = {item["status"]: item["count"] for item in testing.ideas_by_status}
    assert by_status["testing"] == 1 and by_status["parked"] == 1 and testing.ideas_total == 5
    assert testing.ideas_summary == "1 testing, 3 ready to implement, 1 parked" and testing.ideas_testing == 1
    done = summary.implementations
    assert (done.decided, done.started, done.live) == (1, 1, 1)
    assert (done.decided_in_period, done.started_in_period, done.live_in_period) == (1, 1, 1)
    heard = summary.listening
    assert (heard.voices_heard, heard.answered, heard.answered_percent, heard.unanswered_total) == (2, 1, 50, 2)
    voices = {item["voice"]: item["count"] for item in heard.by_voice}
    assert voices["child"] == 1 and voices["infant"] == 1 and voices["carer"] == 0
    assert heard.voices_summary == "1 child or young person, 1 infant or non-verbal child"
    assert heard.children_heard == 2
    assert summary.period_label == "1 Apr 2026 to 30 Jun 2026"


def test_the_default_period_is_the_last_90_days_and_must_be_in_order(cast) -> None:
    summary = _summary(cast.org, today=TODAY)
    assert (summary.period_start, summary.period_end) == (datetime.date(2026, 3, 18), TODAY)
    assert (summary.period_end - summary.period_start).days + 1 == 90
    with pytest.raises(ValueError, match="starts .* after it ends"):
        _summary(cast.org, today=TODAY, period_start=TODAY, period_end=TODAY - datetime.timedelta(days=1))


def test_no_feedback_gives_no_rate_rather_than_zero(cast) -> None:
    assert _summary(cast.org).listening.answered_percent is None


def test_freshness_is_the_last_committed_upload_and_the_completeness_problems(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    committed = timezone.now() - datetime.timedelta(days=3)
    MilestoneImportFactory(organisation=org, status=MilestoneImport.Status.COMMITTED, committed_at=committed, rows=40)
    MilestoneImportFactory(  # later, but rolled back: not what the figures rest on
        organisation=org,
        status=MilestoneImport.Status.ROLLED_BACK,
        committed_at=timezone.now(),
        rows=99,
    )
    MilestoneImportFactory(organisation=cast.other_org, status="committed", committed_at=timezone.now())
    # A permanence recommendation with no "looked after" date: one completeness problem.
    child_dates(org, "C-9", permanence_rec=10)

    full = _summary(org).freshness
    viewer = _summary(org, viewer=True).freshness

    assert (full.last_import_at, full.last_import_rows) == (committed, 40)
    assert (full.completeness_problems, full.completeness_count) == ("1", 1)
    assert (viewer.completeness_problems, viewer.completeness_count) == ("<5", None)


def test_waiting_counts_follow_the_waiting_page_rule(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    child_dates(org, "C-1", looked_after=400, permanence_rec=300)  # waiting for panel (84 days)
    child_dates(org, "C-2", route="home", looked_after=400, permanence_rec=300)  # home: no panel
    child_dates(org, "C-3", looked_after=100)
    child_dates(org, "C-4", looked_after=190)
    child_dates(org, "C-5", route="kinship", looked_after=600, permanence_rec=500, court_lodged=10)
    today = timezone.localdate()

    tiles = {tile.name: tile.waiting_count for tile in _summary(org, today=today).timescales}

    expected = {str(timescale): count for timescale, count in derived.waiting_counts(org, today)}
    assert tiles == expected
    assert tiles["Looked after to permanence recommendation"] == 1
    assert tiles["Permanence recommendation to panel"] == 1


def test_the_snapshot_is_plain_json_with_every_part(cast) -> None:
    fill(cast.org, 1)
    snapshot = _summary(cast.org, viewer=True).as_snapshot()

    assert json.loads(json.dumps(snapshot)) == snapshot
    assert set(snapshot) >= {"aims", "timescales", "testing", "implementations", "listening", "freshness", "notes"}
    row = snapshot["aims"][0]
    assert row["latest"]["text"] == "78.9%" and row["sparkline"]["target"] == 90
    assert row["sparkline_svg"].startswith("<svg")
    assert snapshot["today"] == timezone.localdate().isoformat()


def test_the_summary_runs_a_fixed_number_of_queries_whatever_the_data_size(cast) -> None:
    fill(cast.org, 1)
    with CaptureQueriesContext(connection) as small:
        one = _summary(cast.org, viewer=True)
    fill(cast.org, 9, tag="more-")
    with CaptureQueriesContext(connection) as large:
        ten = _summary(cast.org, viewer=True)
    assert len(one.aims) == 1 and len(ten.aims) == 10
    assert ten.testing.cycles_started == 20 and ten.listening.voices_heard == 10  # two cycles each
    assert len(large.captured_queries) == len(small.captured_queries) <= 20


def test_a_withheld_latest_value_names_the_latest_value_that_may_be_shown(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    waiting = Measure.objects.get(timescale=timescale, derivation=Measure.Derivation.WAITING)
    for month, value in [(1, 12), (2, 9), (3, 3)]:
        DataPointFactory(measure=waiting, period=datetime.date(2026, month, 1), value=value)
    aim = AimFactory(organisation=org, status=Aim.Status.ACTIVE, outcome_measure=waiting, unit="children")

    latest = next(row for row in _summary(org, viewer=True).aims if row.code == str(aim.code)).latest
    full = next(row for row in _summary(org, viewer=False).aims if row.code == str(aim.code)).latest

    assert (latest.text, latest.period, latest.suppressed) == ("<5", "March 2026", True)
    assert (latest.earlier_text, latest.earlier_period) == ("9 children", "Feb 2026")
    assert (full.text, full.suppressed, full.earlier_text) == ("3 children", False, "")
