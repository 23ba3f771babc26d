"""The live-data hints beside the self-assessment's questions, pinned on a hand-built
organisation: every number is known, so every hint's text is asserted exactly."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from governance.models import AgendaItem, Communication, Meeting, Newsletter, Report
from governance.selectors.hints import HINTS, hints_for
from measures.models import Milestone, MilestoneImport
from pace_hub.models import Agency, Membership, Resource, Team
from pace_hub.roles import Role
from pdsa.models import (
    ChangeIdea,
    Feedback,
    IdeaSubmission,
    PDSACycle,
    ReadinessItem,
    TrainingRecord,
)
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.factories import AgencyFactory, ResourceFactory, TeamFactory
from tests.governance.assessment_factories import CommunicationFactory, NewsletterFactory
from tests.governance.factories import GovernanceGroupFactory, MeetingFactory, ReportFactory
from tests.measures.factories import ChildFactory, MilestoneFactory, MilestoneImportFactory
from tests.measures.milestones.dates import set_date
from tests.pdsa.factories import (
    ApprovalFactory,
    ChangeIdeaFactory,
    FeedbackFactory,
    IdeaSubmissionFactory,
    ImplementationFactory,
    PDSACycleFactory,
    PredictionFactory,
    PublishedItemFactory,
    SelfAuditFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()
NAMES = {
    Role.ADMIN: ("Morag", "Reid"),
    Role.LEAD: ("Fiona", "Bruce"),
    Role.DATA: ("Iain", "Gray"),
    Role.MEMBER: ("Ruth", "Davidson"),
    Role.VIEWER: ("Janet", "Hamilton"),
}


def ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def day(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def _people(cast) -> dict[str, Membership]:
    people = cast.members
    for role, (first, last) in NAMES.items():
        user = people[role].user
        user.first_name, user.last_name = first, last
        user.save()
    return people


def _agencies(cast, people) -> dict[str, Agency]:
    org = cast.org
    agencies = {
        "sw": AgencyFactory(
            organisation=org, name="Children and Families Social Work", kind="social_work", relationship="strong"
        ),
        "legal": AgencyFactory(organisation=org, name="Legal Services", kind="legal", relationship="working"),
        "scra": AgencyFactory(
            organisation=org,
            name="SCRA locality office",
            kind="scra",
            relationship="emerging",
            next_step="Invite the reporter to the leads group",
            next_step_owner=people[Role.MEMBER],
            next_step_due=day(5),
        ),
        "health": AgencyFactory(
            organisation=org,
            name="NHS Grampian health visiting",
            kind="health",
            relationship="none",
            next_step="Meet the LAC nurse",
            next_step_owner=people[Role.LEAD],
            next_step_due=day(-20),
        ),
        "third": AgencyFactory(
            organisation=org, name="Family support charity", kind="third_sector", relationship="working"
        ),
    }
    skills = {
        Role.LEAD: ("sil", agencies["sw"]),
        Role.DATA: ("practitioner", agencies["legal"]),
        Role.MEMBER: ("foundation", agencies["scra"]),
        Role.ADMIN: ("advisor", None),
        Role.VIEWER: ("none", None),
    }
    for role, (level, agency) in skills.items():
        Membership.objects.filter(pk=people[role].pk).update(qi_skill=level, agency=agency)
    Membership.objects.filter(pk=people[Role.MEMBER].pk).update(wants_qi_training=True, qi_cpd_interest="Run charts")
    Membership.objects.filter(pk=people[Role.VIEWER].pk).update(qi_cpd_interest="Reading SPC charts")
    return agencies


def _teams_and_meetings(cast, people) -> None:
    org = cast.org
    leads = TeamFactory(organisation=org, name="Leads group", kind=Team.Kind.LEADS, meeting_frequency="monthly")
    leads.members.set([people[Role.LEAD], people[Role.DATA], people[Role.MEMBER]])
    TeamFactory(organisation=org, name="Aims group A", kind=Team.Kind.AIMS, meeting_frequency="monthly")
    data_team = TeamFactory(organisation=org, name="Data team", kind=Team.Kind.DATA)
    data_team.members.set([people[Role.DATA], people[Role.ADMIN]])
    held = [
        MeetingFactory(organisation=org, team=leads, starts_at=ago(days), status=Meeting.Status.HELD)
        for days in (10, 40, 70, 100, 200)
    ]
    # A planned meeting and a meeting of another council never count.
    MeetingFactory(organisation=org, team=leads, starts_at=NOW + datetime.timedelta(days=20))
    MeetingFactory(organisation=cast.other_org, starts_at=ago(5), status=Meeting.Status.HELD)
    for meeting, kind in ((held[0], "aim_review"), (held[1], "aim_review"), (held[0], "standing_pace")):
        AgendaItem.objects.create(organisation=org, meeting=meeting, kind=kind, title=kind)
    AgendaItem.objects.create(organisation=org, meeting=held[4], kind="standing_pace", title="Standing PACE item")
    AgendaItem.objects.create(organisation=org, meeting=held[1], kind="testing", title="Testing reflection")
    Report.objects.create(organisation=org, kind=Report.Kind.DATA_PACK, meeting=held[2], status=Report.Status.DONE)
    group = GovernanceGroupFactory(organisation=org, name="Corporate Parenting Board", reporter=people[Role.LEAD])
    ReportFactory(organisation=org, group=group, issued_at=ago(30))
    ReportFactory(organisation=org, group=group, period_start=datetime.date(2025, 1, 1), issued_at=ago(400))


def _aims(cast, people) -> None:
    org = cast.org
    measure = AimMeasureFactory(organisation=org)
    AimFactory(
        organisation=org,
        title="Permanence within 6 months",
        kind="national",
        status="active",
        lead=people[Role.LEAD],
        aims_group=Team.objects.get(organisation=org, name="Aims group A"),
        outcome_measure=measure,
        last_reviewed=day(30),
    )
    AimFactory(
        organisation=org, title="Panel sooner", kind="local", status="draft", by_date=None, last_reviewed=day(200)
    )
    AimFactory(organisation=org, title="Old aim", kind="local", status="retired")


def _testing(cast, people) -> dict:
    org = cast.org
    lead, member = people[Role.LEAD], people[Role.MEMBER]
    i1 = ChangeIdeaFactory(organisation=org, title="Legal advice at the first review", status="testing", lead=lead)
    i2 = ChangeIdeaFactory(organisation=org, title="Carer letters", status="testing", lead=member)
    ChangeIdeaFactory(organisation=org, title="Family time review", status="proposed", source="feedback")
    i4 = ChangeIdeaFactory(organisation=org, title="Panel papers template", status="implementing")
    i5 = ChangeIdeaFactory(organisation=org, title="Kinship assessment checklist", status="ready")
    c1 = PDSACycleFactory(change_idea=i1, number=1, lead=lead, status="complete")
    c2 = PDSACycleFactory(change_idea=i1, number=2, lead=lead, status="study")
    c3 = PDSACycleFactory(change_idea=i1, number=3, lead=lead, status="act")
    PDSACycleFactory(change_idea=i2, number=1, lead=member, status="plan")
    c5 = PDSACycleFactory(change_idea=i2, number=2, lead=people[Role.DATA], status="complete")
    c6 = PDSACycleFactory(change_idea=i4, number=1, status="plan", setting="North")
    c7 = PDSACycleFactory(change_idea=i4, number=2, status="plan", setting="South")
    PredictionFactory(cycle=c1)
    PredictionFactory(cycle=c2)
    PDSACycle.objects.filter(pk=c5.pk).update(created_at=ago(120), updated_at=ago(120))
    PDSACycle.objects.filter(pk__in=[c6.pk, c7.pk]).update(created_at=ago(400), updated_at=ago(400))
    ChangeIdea.objects.filter(pk__in=[i4.pk, i5.pk]).update(updated_at=ago(200))
    # Another council's testing never counts.
    PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.other_org), lead=cast.outsider)

    done = ImplementationFactory(
        change_idea=i4,
        flowchart="flowcharts/2027/panel.png",
        guidance_what="One template for panel papers.",
        guidance_why="Papers arrive complete.",
        contacts="Fiona Bruce",
        start_date=day(20),
        started_on=day(20),
        live_on=day(10),
    )
    done.evidence_cycles.add(c6)
    done.resources.add(ResourceFactory(organisation=org, kind=Resource.Kind.GUIDANCE))
    ApprovalFactory(implementation=done, approver=lead, decision="approved")
    for area in ReadinessItem.Area.values:
        ReadinessItem.objects.create(organisation=org, implementation=done, area=area, done=True)
    TrainingRecord.objects.create(organisation=org, implementation=done, date=day(15), audience="Panel", count=12)
    SelfAuditFactory(implementation=done, due_on=day(25), done_on=day(20), result_percent=80)
    SelfAuditFactory(implementation=done, due_on=day(5))
    waiting = ImplementationFactory(change_idea=i5)
    ApprovalFactory(implementation=waiting, approver=people[Role.ADMIN])
    return {"c1": c1, "c3": c3, "i1": i1}


def _listening_and_sharing(cast, people, testing) -> None:
    org = cast.org
    voices = ["child", "child", "infant", "carer", "carer", "carer", "colleague"]
    made = []
    for index, voice in enumerate(voices):
        made.append(FeedbackFactory(organisation=org, voice=voice, received_on=day(5 + index)))
    Feedback.objects.filter(pk=made[3].pk).update(cycle=testing["c1"], change_idea=testing["i1"])
    Feedback.objects.filter(pk=made[0].pk).update(cycle=testing["c3"], change_idea=testing["i1"])
    FeedbackFactory(organisation=org, voice="parent", received_on=day(100))
    FeedbackFactory(organisation=org, voice="parent", received_on=day(400))
    Feedback.objects.filter(pk__in=[made[1].pk, made[4].pk, made[6].pk]).update(response="We changed the letter.")
    FeedbackFactory(organisation=cast.other_org, voice="infant", received_on=day(3))

    for kind in ("participation", "participation", "qi_learning"):
        ResourceFactory(organisation=org, kind=kind)

    sender = people[Role.MEMBER]
    new = IdeaSubmissionFactory(organisation=org, submitted_by=sender)
    quick = IdeaSubmissionFactory(organisation=org, submitted_by=sender, status="merged")
    slow = IdeaSubmissionFactory(organisation=org, submitted_by=sender, status="accepted")
    old = IdeaSubmissionFactory(organisation=org, submitted_by=sender, status="merged")
    IdeaSubmission.objects.filter(pk=new.pk).update(created_at=ago(3))
    IdeaSubmission.objects.filter(pk=quick.pk).update(created_at=ago(30), triaged_at=ago(28))
    IdeaSubmission.objects.filter(pk=slow.pk).update(created_at=ago(60), triaged_at=ago(54))
    IdeaSubmission.objects.filter(pk=old.pk).update(created_at=ago(300), triaged_at=ago(200))

    channels = ["newsletter", "intranet", "intranet", "standing_agenda", "corporate_parenting", "other_authorities"]
    for index, channel in enumerate(channels):
        CommunicationFactory(organisation=org, channel=channel, date=day(10 + index))
    CommunicationFactory(organisation=org, channel="service_meeting", date=day(400))
    NewsletterFactory(organisation=org, status=Newsletter.Status.ISSUED, issued_on=day(20))
    NewsletterFactory(organisation=org)
    PublishedItemFactory(organisation=org, kind="change_package")
    PublishedItemFactory(organisation=org, kind="cycle_summary")
    PublishedItemFactory(organisation=cast.other_org, kind="change_package")


def _data(cast, people) -> None:
    org = cast.org
    data_lead = people[Role.DATA]
    looked_after = MilestoneFactory(organisation=org, name="Looked after", order=1, responsible=data_lead)
    review = MilestoneFactory(organisation=org, name="First LAC review", order=2, responsible=data_lead)
    MilestoneFactory(organisation=org, name="Panel", order=3, responsible=data_lead)
    MilestoneFactory(organisation=org, name="Retired milestone", order=4, active=False)
    child = ChildFactory(organisation=org)
    for milestone in (looked_after, review):
        set_date(child, milestone, day(300))
    MilestoneImportFactory(
        organisation=org, status=MilestoneImport.Status.COMMITTED, uploaded_by=data_lead.user, committed_at=ago(40)
    )
    MilestoneImportFactory(
        organisation=org,
        status=MilestoneImport.Status.COMMITTED,
        uploaded_by=people[Role.ADMIN].user,
        committed_at=ago(300),
    )
    MilestoneImportFactory(
        organisation=org,
        status=MilestoneImport.Status.ROLLED_BACK,
        uploaded_by=people[Role.LEAD].user,
        committed_at=ago(20),
    )


@pytest.fixture
def built(cast):
    with time_machine.travel(NOW, tick=False):
        people = _people(cast)
        _agencies(cast, people)
        _teams_and_meetings(cast, people)
        _aims(cast, people)
        testing = _testing(cast, people)
        _listening_and_sharing(cast, people, testing)
        _data(cast, people)
        cast.org.pace_lead = people[Role.LEAD]
        cast.org.save()
        yield cast


def _hints(cast):
    with time_machine.travel(NOW, tick=False):
        return hints_for(cast.org)


EXPECTED = {
    "leads_named": ("PACE Lead: Fiona Bruce. Data Lead: not named.", True),
    "leads_group": ("Leads group: 3 members from 3 kinds of agency (Local authority legal, SCRA, Social work).", False),
    "aim_leads": ("1 of 2 open aims have a named lead.", True),
    "aims_groups": ("1 of 2 open aims have an aims group; 1 aims group set up.", True),
    "meeting_frequency": (
        "Leads group meets monthly: 4 meetings held in the last six months, where monthly means 6.",
        True,
    ),
    "aims_group_meetings": (
        "0 of 1 aims group met as often as they say in the last six months; behind: Aims group A.",
        True,
    ),
    "meetings_with_data": (
        "3 of 5 meetings held in the last year had data (a data pack or an aims and data review): 60%.",
        False,
    ),
    "distributed_leadership": (
        "2 different people led 6 PDSA cycles and change ideas in the last 90 days, from 2 agencies; "
        "the busiest person led 67%.",
        True,
    ),
    "governance_groups": ("1 governance group: Corporate Parenting Board (quarterly, reported by Fiona Bruce).", False),
    "governance_reports": ("1 governance report issued in the last year.", False),
    "relationships_by_agency": (
        "5 agencies on the relationship map: 1 strong, 2 working, 1 emerging, 1 none yet.",
        False,
    ),
    "relationships_missing": (
        "Not yet on the map: Children's Hearings Scotland, Education. Still to build (none yet or emerging): "
        "NHS Grampian health visiting, SCRA locality office.",
        True,
    ),
    "relationship_next_steps": (
        "2 of 4 relationships still to strengthen have a next step with an owner and a due date; 1 overdue.",
        True,
    ),
    "milestone_uploads": (
        "The last milestone data upload was committed 40 days ago (3 Feb 2027); "
        "the organisation expects one every 31 days.",
        True,
    ),
    "milestone_coverage": ("2 of 3 active milestones have dates recorded; none yet for: Panel.", True),
    "data_responsibility": (
        "One person, Iain Gray, is responsible for collecting every one of the 3 active milestones "
        "\u2014 a single point of failure.",
        True,
    ),
    "uploaders": (
        "Only one person (Iain Gray) uploaded milestone data in the last six months \u2014 a single point of failure.",
        True,
    ),
    "data_people": ("1 member with the data lead role; the data team has 2 members from 1 agency.", False),
    "voices_heard": (
        "7 pieces of feedback in the last 90 days: child or young person 2, infant or non-verbal child (observed) 1, "
        "parent 0, carer 3, colleague 1, partner agency 0.",
        False,
    ),
    "quieter_voices": (
        "1 piece of feedback from infants or non-verbal children (observed) in the last 90 days.",
        False,
    ),
    "you_said_we_did": (
        "3 of 8 pieces of feedback from the last year have a \u201cyou said, we did\u201d response (38%).",
        True,
    ),
    "participation_resources": ("2 participation resources in the resource library.", False),
    "ideas_from_feedback": (
        "1 change idea came from feedback from children and families; "
        "2 pieces of feedback from the last year are linked to testing.",
        False,
    ),
    "communications_by_channel": (
        "6 communications logged in the last year: newsletter 1, intranet 2, standing agenda item 1, "
        "other authorities 1, corporate parenting board 1.",
        False,
    ),
    "ideas_inbox": (
        "3 ideas and barriers sent to the ideas inbox in the last six months; 1 awaiting triage; "
        "median time to triage 4 days.",
        False,
    ),
    "newsletters": ("1 newsletter issued in the last year (latest 23 Feb 2027).", False),
    "standing_item": (
        "2 of 5 meetings held in the last year had the standing PACE item; "
        "PACE was a standing agenda item at 1 other meeting in the communications log.",
        False,
    ),
    "communications_other_areas": (
        "In the last year: 1 communication with other authorities and 0 meetings with other services or agencies.",
        False,
    ),
    "communications_governance": ("1 communication with the corporate parenting board in the last year.", False),
    "communications_young_people": (
        "0 communications with care-experienced young people's groups in the last year.",
        True,
    ),
    "aims_reviewed": ("1 of 2 open aims were reviewed within their interval; overdue: Panel sooner.", True),
    "aims_smart": (
        "1 of 2 open aims have every SMART part (who, what improves, baseline, target and by when).",
        True,
    ),
    "aims_outcome_measures": ("1 of 2 open aims have an outcome measure.", True),
    "local_aims": ("1 local aim besides 1 PACE national aim (retired aims not counted).", False),
    "idea_leads": ("2 of 5 active change ideas have a named lead.", True),
    "cycles_planned": ("2 of 5 PDSA cycles started in the last year have written predictions on the PDSA form.", True),
    "testing_reflection": (
        "1 cycle waiting for Study and 1 for Act; 2 cycles completed in the last six months; "
        "1 meeting in the last six months reflected on testing.",
        False,
    ),
    "cycle_feedback": ("2 of 4 cycles past Do have qualitative feedback recorded.", False),
    "spread": ("1 of 2 change ideas ready to implement or beyond were tested in two or more settings.", True),
    "implementation_evidence": (
        "1 of 2 implementation decisions cite evidence from PDSA cycles, feedback or a chart.",
        True,
    ),
    "approvals": (
        "1 of 2 implementations approved by every service leader asked; 1 approval awaiting a decision.",
        True,
    ),
    "change_packages": (
        "1 of 2 change packages have every part (flowchart, what it is, why, who to contact, resources and a "
        "start date).",
        True,
    ),
    "readiness": (
        "1 of 2 implementations have considered all five readiness areas (standardisation, documentation, "
        "training, measurement, resourcing).",
        True,
    ),
    "training_records": ("1 of 2 implementations have training, awareness or coaching records.", True),
    "self_audits": ("1 self-audit done in the last year; 1 overdue; 1 change live.", True),
    "qi_skills_spread": (
        "Of 5 members: 1 none yet, 1 foundation, 1 practitioner, 1 Scottish Improvement Leader, "
        "1 improvement advisor; 2 agencies have someone at practitioner level or above.",
        False,
    ),
    "qi_helpers": (
        "2 people at Scottish Improvement Leader level or above can help: Fiona Bruce, Morag Reid.",
        False,
    ),
    "qi_training_wanted": ("1 member wants QI training; 2 recorded a learning or CPD interest.", False),
    "library_shared": (
        "2 items shared in the library across Scotland (1 change package, 1 PDSA cycle summary).",
        False,
    ),
    "qi_resources": ("1 QI learning resource in the resource library.", False),
}


def test_every_hint_is_pinned() -> None:
    assert set(EXPECTED) == set(HINTS)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_hint_number_on_a_hand_built_organisation(built, key: str) -> None:
    hint = _hints(built)[key]
    text, warning = EXPECTED[key]
    assert (hint.text, hint.warning) == (text, warning)


def test_every_hint_says_where_its_number_comes_from_and_links_there(built) -> None:
    for key, hint in _hints(built).items():
        assert hint.source, key
        assert hint.url.startswith(f"/o/{built.org.slug}/"), (key, hint.url)


def test_viewers_see_counts_of_one_to_four_children_as_fewer_than_five(built) -> None:
    hints = _hints(built)
    assert hints["voices_heard"].text_for(hide_small_counts=True) == (
        "7 pieces of feedback in the last 90 days: child or young person <5, infant or non-verbal child (observed) "
        "<5, parent 0, carer 3, colleague 1, partner agency 0."
    )
    assert hints["quieter_voices"].text_for(hide_small_counts=True) == (
        "<5 pieces of feedback from infants or non-verbal children (observed) in the last 90 days."
    )
    assert hints["uploaders"].text_for(hide_small_counts=True) == hints["uploaders"].text


def test_several_uploaders_and_shared_responsibility_are_not_a_single_point_of_failure(built) -> None:
    org, people = built.org, built.members
    with time_machine.travel(NOW, tick=False):
        MilestoneImportFactory(
            organisation=org, status="committed", uploaded_by=people[Role.LEAD].user, committed_at=ago(2)
        )
        Milestone.objects.filter(organisation=org, name="Panel").update(responsible=people[Role.LEAD])
        hints = hints_for(org)
    assert hints["uploaders"].text == (
        "2 different people uploaded milestone data in the last six months: Fiona Bruce, Iain Gray."
    )
    assert not hints["uploaders"].warning
    assert hints["milestone_uploads"].text.startswith("The last milestone data upload was committed 2 days ago")
    assert hints["data_responsibility"].text == (
        "3 of 3 active milestones have someone responsible for collecting them, shared among 2 people."
    )


def test_an_empty_organisation_gets_warnings_not_errors(cast) -> None:
    hints = hints_for(cast.org)
    assert hints["uploaders"].text == "Nobody uploaded milestone data in the last six months."
    assert hints["leads_group"].text == "No leads group is set up yet."
    assert hints["distributed_leadership"].text == "Nobody led a PDSA cycle or change idea in the last 90 days."
    assert hints["quieter_voices"].warning and hints["uploaders"].warning
    assert all(hint.text for hint in hints.values())


def test_hints_run_a_fixed_number_of_queries(built, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(45):
        _hints(built)


def test_feedback_counts_in_the_ninety_days_only(built) -> None:
    with time_machine.travel(NOW, tick=False):
        FeedbackFactory(
            organisation=built.org, voice="partner", received_on=timezone.localdate() - datetime.timedelta(days=91)
        )
        hints = hints_for(built.org, keys=["voices_heard"])
    assert hints["voices_heard"].figures["partner"] == 0
    assert Communication.objects.filter(organisation=built.org).count() == 7
