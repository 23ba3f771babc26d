"""Self-assessments: starting one (from the previous ratings), answering a section with
evidence links and actions, completing it with the hints frozen, comparing two, the heat map,
the exports, and every refusal of bad input."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.models import (
    Action,
    AssessmentQuestion,
    AssessmentSection,
    AssessmentTemplate,
    EvidenceLink,
    SelfAssessment,
    SelfAssessmentAnswer,
)
from governance.selectors.self_assessment import assessment_list, compare
from governance.services.self_assessment import (
    AnswerInput,
    evidence_resolve,
    self_assessment_complete,
    self_assessment_reopen,
    self_assessment_section_save,
    self_assessment_start,
)
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import TeamFactory
from tests.pdsa.factories import PDSACycleFactory

pytestmark = pytest.mark.django_db

SECTION_TITLES = [
    "PACE Team/Leads Group",
    "Governance",
    "Relationship building",
    "Data",
    "Listening",
    "Communication",
    "Aims",
    "Testing",
    "Implementation of change ideas",
    "QI knowledge",
    "Sharing knowledge across Scotland",
]


def _start(cast, taken_on: datetime.date, **kwargs) -> SelfAssessment:
    return self_assessment_start(
        organisation=cast.org, taken_on=taken_on, created_by=cast.members[Role.LEAD].user, **kwargs
    )


def _save(assessment, section_key: str, member, *answers: AnswerInput, user=None) -> int:
    section = AssessmentSection.objects.get(template=assessment.template, key=section_key)
    return self_assessment_section_save(
        assessment=assessment, section=section, answers=list(answers), member=member, user=user or member.user
    )


def _answer(assessment, key: str) -> SelfAssessmentAnswer:
    return assessment.answers.select_related("action").get(question__key=key)


# ---- The template as versioned data ----------------------------------------------------------


def test_the_template_is_loaded_as_version_1_with_every_section_in_order() -> None:
    template = AssessmentTemplate.objects.current()
    assert template.version == 1
    assert list(template.sections.order_by("order").values_list("title", flat=True)) == SECTION_TITLES
    questions = AssessmentQuestion.objects.filter(template=template)
    assert questions.count() == 70
    assert all(question.template_wording and question.text for question in questions)
    assert questions.filter(key="team-leads-named", text="A PACE Lead and a Data Lead are named.").exists()
    assert questions.filter(section__key="listening", key="listening-quieter-voices").exists()


def test_the_template_comes_back_after_the_database_lost_it() -> None:
    """A flushed database (reference data included) must not leave self-assessment without questions."""
    AssessmentTemplate.objects.all().delete()
    template = AssessmentTemplate.objects.current()
    assert template.version == 1
    assert AssessmentQuestion.objects.filter(template=template).count() == 70


def test_every_hint_a_question_names_exists() -> None:
    from governance.selectors.hints import HINTS

    named = {key for keys in AssessmentQuestion.objects.values_list("hint_keys", flat=True) for key in keys}
    assert named <= set(HINTS)
    assert set(HINTS) <= named, "every hint is shown beside some question"


# ---- Starting ---------------------------------------------------------------------------------


def test_an_assessment_starts_with_an_unrated_answer_for_every_question(cast) -> None:
    leads = TeamFactory(organisation=cast.org, kind="leads", name="Leads group")
    assessment = _start(cast, datetime.date(2026, 6, 1), team=leads)
    assert assessment.answers.count() == 70
    assert not assessment.answers.exclude(rating="").exists()
    assert assessment.next_due_on == datetime.date(2026, 12, 1)
    assert assessment.team == leads


def test_the_next_one_starts_from_the_previous_ratings_evidence_and_links(cast) -> None:
    lead = cast.members[Role.LEAD]
    aim = AimFactory(organisation=cast.org, title="Permanence sooner")
    first = _start(cast, datetime.date(2026, 1, 10))
    _save(
        first,
        "team",
        lead,
        AnswerInput(
            "team-leads-named",
            "in_place",
            evidence="Both named in the settings.",
            links=f"http://testserver{aim.get_absolute_url()}",
        ),
    )
    second = _start(cast, datetime.date(2026, 7, 10), start_from=first)
    answer = _answer(second, "team-leads-named")
    assert (answer.rating, answer.previous_rating, answer.evidence) == (
        "in_place",
        "in_place",
        "Both named in the settings.",
    )
    assert list(answer.links.values_list("label", "path")) == [("Aim: Permanence sooner", aim.get_absolute_url())]
    assert _answer(second, "team-aim-leads").rating == ""


def test_a_second_assessment_on_the_same_date_is_refused(cast) -> None:
    _start(cast, datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        _start(cast, datetime.date(2026, 6, 1))
    assert error.value.message_dict["taken_on"] == [
        "There is already a self-assessment dated 1 June 2026: open it, or choose another date."
    ]
    # Another organisation may take one that day.
    self_assessment_start(organisation=cast.other_org, taken_on=datetime.date(2026, 6, 1), created_by=None)


def test_an_assessment_in_the_future_or_from_a_later_one_is_refused(cast) -> None:
    later = _start(cast, datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        _start(cast, timezone.localdate() + datetime.timedelta(days=1))
    assert "cannot be in the future" in error.value.message_dict["taken_on"][0]
    with pytest.raises(ValidationError) as error:
        _start(cast, datetime.date(2026, 5, 1), start_from=later)
    assert error.value.message_dict["start_from"] == ["Start from an earlier assessment than this one."]
    foreign = self_assessment_start(organisation=cast.other_org, taken_on=datetime.date(2026, 1, 1), created_by=None)
    with pytest.raises(ValidationError) as error:
        _start(cast, datetime.date(2026, 7, 1), start_from=foreign)
    assert error.value.message_dict["start_from"] == ["Start from one of Aberdeen City's own assessments."]


# ---- Answering -----------------------------------------------------------------------------------


def test_a_rating_outside_the_scale_is_refused_and_nothing_is_written(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    member = cast.members[Role.MEMBER]
    with pytest.raises(ValidationError) as error:
        _save(
            assessment,
            "team",
            member,
            AnswerInput("team-aim-leads", "embedded"),
            AnswerInput("team-leads-named", "excellent"),
        )
    assert error.value.message_dict == {
        "team-leads-named:rating": [
            "'excellent' is not on the scale: choose not started, started, in place or embedded."
        ]
    }
    assert _answer(assessment, "team-aim-leads").rating == ""


def test_the_section_page_refuses_a_rating_outside_the_scale(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    url = reverse("self_assessment_section", args=[cast.org.slug, assessment.code, "governance"])
    response = cast.client(Role.MEMBER).post(url, {"governance-structure-rating": "brilliant"})
    assert response.status_code == 200
    assert "brilliant is not on the scale" in response.content.decode()
    assert not assessment.answers.exclude(rating="").exists()


def test_evidence_linking_another_organisations_object_is_refused(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    foreign_aim = AimFactory(organisation=cast.other_org, title="Renfrewshire's aim")
    own_slug_foreign_code = reverse("aim_detail", args=[cast.org.slug, foreign_aim.code])
    with pytest.raises(ValidationError) as error:
        _save(
            assessment,
            "aims",
            cast.members[Role.MEMBER],
            AnswerInput(
                "aims-local",
                "started",
                links=f"{foreign_aim.get_absolute_url()}\n{own_slug_foreign_code}\n/o/{cast.org.slug}/aims/",
            ),
        )
    assert error.value.message_dict["aims-local:links"] == [
        f"{foreign_aim.get_absolute_url()} is a page of another organisation: "
        "evidence must be one of Aberdeen City's own.",
        f"{own_slug_foreign_code} links to another organisation's aim: evidence must be one of Aberdeen City's own.",
        f"/o/{cast.org.slug}/aims/ is a list, not one thing: open the aim, cycle or meeting and paste its address.",
    ]
    assert not EvidenceLink.objects.exists()


def test_evidence_links_resolve_to_the_organisations_own_objects(cast) -> None:
    cycle = PDSACycleFactory(change_idea__organisation=cast.org)
    link = evidence_resolve(organisation=cast.org, address=f"https://pace.example.scot{cycle.get_absolute_url()}")
    assert (link.object_id, link.path) == (cycle.pk, cycle.get_absolute_url())
    assert link.label == f"PDSA cycle: {cycle}"
    with pytest.raises(ValidationError, match="not a page of PACE Hub"):
        evidence_resolve(organisation=cast.org, address="https://example.org/elsewhere")


def test_an_action_on_an_answer_becomes_a_real_action_with_owner_and_due_date(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    member, data = cast.members[Role.MEMBER], cast.members[Role.DATA]
    due = timezone.localdate() + datetime.timedelta(days=30)
    _save(
        assessment,
        "data",
        member,
        AnswerInput(
            "data-team",
            "started",
            action_description="Train a second person to upload milestone data",
            action_owner=data,
            action_due_on=due,
        ),
    )
    answer = _answer(assessment, "data-team")
    action = answer.action
    assert (action.description, action.owner, action.due_on, action.meeting, action.status) == (
        "Train a second person to upload milestone data",
        data,
        due,
        None,
        Action.Status.OPEN,
    )
    assert (answer.answered_by, answer.rating) == (member, "started")
    # Changing the action on the answer changes the same action; clearing it drops it.
    _save(
        assessment,
        "data",
        member,
        AnswerInput(
            "data-team", "started", action_description="Train two people", action_owner=data, action_due_on=due
        ),
    )
    action.refresh_from_db()
    assert action.description == "Train two people" and Action.objects.count() == 1
    _save(assessment, "data", member, AnswerInput("data-team", "started"))
    action.refresh_from_db()
    assert (action.status, action.closed_note) == ("dropped", "Removed from the self-assessment answer.")
    # Closed now, to the second, for "closed since the last meeting".
    assert action.closed_at is not None and action.closed_on == timezone.localtime(action.closed_at).date()


def test_an_action_without_owner_or_due_date_or_owned_by_an_outsider_is_refused(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError) as error:
        _save(
            assessment,
            "data",
            cast.members[Role.MEMBER],
            AnswerInput("data-team", "started", action_description="Train someone"),
            AnswerInput(
                "data-support",
                "started",
                action_description="Ask SCRA",
                action_owner=cast.outsider,
                action_due_on=timezone.localdate(),
            ),
        )
    assert error.value.message_dict == {
        "data-team:action_owner": ["An action needs an owner."],
        "data-team:action_due_on": ["An action needs a due date."],
        "data-support:action_owner": [f"{cast.outsider} is not a member of Aberdeen City: an action's owner must be."],
    }
    assert not Action.objects.exists()


def test_unchanged_answers_keep_who_answered_them(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    lead, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    assert _save(assessment, "aims", lead, AnswerInput("aims-local", "embedded"), AnswerInput("aims-smart", "")) == 1
    assert (
        _save(assessment, "aims", member, AnswerInput("aims-local", "embedded"), AnswerInput("aims-smart", "started"))
        == 1
    )
    assert _answer(assessment, "aims-local").answered_by == lead
    assert _answer(assessment, "aims-smart").answered_by == member


def test_the_section_page_saves_ratings_evidence_links_and_an_action(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    aim = AimFactory(organisation=cast.org, title="Local aim")
    client = cast.client(Role.MEMBER)
    url = reverse("self_assessment_section", args=[cast.org.slug, assessment.code, "aims"])
    page = client.get(url).content.decode()
    assert "We set local aims, not just the PACE national aims." in page
    assert "local aim besides" in page  # the live hint beside the question
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        url,
        {
            "aims-local-rating": "in_place",
            "aims-local-evidence": "Two local aims since April.",
            "aims-local-links": aim.get_absolute_url(),
            "aims-smart-rating": "started",
            "aims-smart-action_description": "Rewrite the panel aim with a baseline",
            "aims-smart-action_owner": cast.members[Role.LEAD].pk,
            "aims-smart-action_due_on": due,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#section-aims")
    local, smart = _answer(assessment, "aims-local"), _answer(assessment, "aims-smart")
    assert (local.rating, local.evidence, local.links.get().object_id) == (
        "in_place",
        "Two local aims since April.",
        aim.pk,
    )
    assert smart.action.owner == cast.members[Role.LEAD]
    detail = client.get(assessment.get_absolute_url()).content.decode()
    assert "Rewrite the panel aim with a baseline" in detail and "Aim: Local aim" in detail


def test_viewers_read_assessments_but_cannot_answer_start_or_complete(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    viewer = cast.client(Role.VIEWER)
    assert viewer.get(assessment.get_absolute_url()).status_code == 200
    section = reverse("self_assessment_section", args=[cast.org.slug, assessment.code, "team"])
    assert viewer.post(section, {"team-leads-named-rating": "embedded"}).status_code == 403
    assert viewer.post(reverse("self_assessment_start", args=[cast.org.slug]), {}).status_code == 403
    assert viewer.post(reverse("self_assessment_complete", args=[cast.org.slug, assessment.code])).status_code == 403
    assert (
        cast.client(Role.MEMBER)
        .post(reverse("self_assessment_complete", args=[cast.org.slug, assessment.code]))
        .status_code
        == 403
    )
    assert cast.client("outsider").get(assessment.get_absolute_url()).status_code == 404


def test_the_start_page_suggests_the_next_one_from_the_previous(cast) -> None:
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, 0), tick=False):
        first = _start(cast, datetime.date(2026, 1, 10))
    with time_machine.travel(datetime.datetime(2026, 7, 12, 12, 0), tick=False):
        client = cast.client(Role.LEAD)
        page = client.get(reverse("self_assessment_start", args=[cast.org.slug])).content.decode()
        assert "the next is due on 10 July 2026" in page
        assert f'<option value="{first.pk}" selected>' in page
        response = client.post(
            reverse("self_assessment_start", args=[cast.org.slug]),
            {"taken_on": "2026-07-12", "start_from": first.pk, "repeat_months": 6},
        )
        second = SelfAssessment.objects.get(taken_on=datetime.date(2026, 7, 12))
        assert response["Location"] == second.get_absolute_url() and second.started_from == first
        again = client.post(
            reverse("self_assessment_start", args=[cast.org.slug]), {"taken_on": "2026-07-12", "repeat_months": 6}
        )
        assert "There is already a self-assessment dated 12 July 2026" in again.content.decode()


# ---- Completing, comparing, the heat map ------------------------------------------------------------


def test_completing_freezes_the_hints_and_the_answers(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    self_assessment_complete(assessment=assessment, user=cast.members[Role.LEAD].user)
    assessment.refresh_from_db()
    hints = assessment.hints_snapshot["hints"]
    assert hints["local_aims"]["text"] == "0 local aims besides 0 PACE national aims (retired aims not counted)."
    AimFactory(organisation=cast.org, kind="local", status="active")
    page = cast.client(Role.LEAD).get(assessment.get_absolute_url()).content.decode()
    assert "0 local aims besides 0 PACE national aims" in page and "1 local aim besides" not in page
    with pytest.raises(ValidationError, match="reopen it"):
        _save(assessment, "aims", cast.members[Role.LEAD], AnswerInput("aims-local", "embedded"))
    self_assessment_reopen(assessment=assessment)
    page = cast.client(Role.LEAD).get(assessment.get_absolute_url()).content.decode()
    assert "1 local aim besides 0 PACE national aims" in page


def test_compare_shows_what_moved_up_and_down(cast) -> None:
    lead = cast.members[Role.LEAD]
    first = _start(cast, datetime.date(2026, 1, 10))
    _save(first, "aims", lead, AnswerInput("aims-local", "started"), AnswerInput("aims-smart", "in_place"))
    second = _start(cast, datetime.date(2026, 7, 10), start_from=first)
    _save(second, "aims", lead, AnswerInput("aims-local", "embedded"), AnswerInput("aims-smart", "started"))
    comparison = compare(second, first)
    assert comparison.before == first and comparison.after == second
    assert [row.question for row in comparison.up] == ["We set local aims, not just the PACE national aims."]
    assert [row.question for row in comparison.down] == [
        "New aims are set well: clear, with a percentage, from a baseline and by when."
    ]
    url = reverse("self_assessment_compare", args=[cast.org.slug]) + f"?before={first.code}&after={second.code}"
    page = cast.client(Role.VIEWER).get(url).content.decode()
    assert "Moved up (1)" in page and "Moved down (1)" in page and "Aims: 1 up, 1 down" in page
    foreign = self_assessment_start(organisation=cast.other_org, taken_on=datetime.date(2026, 1, 1), created_by=None)
    bad = reverse("self_assessment_compare", args=[cast.org.slug]) + f"?before={foreign.code}&after={second.code}"
    assert cast.client(Role.VIEWER).get(bad).status_code == 404


def test_the_heat_map_shows_each_sections_mean_rating_at_each_date(cast) -> None:
    lead = cast.members[Role.LEAD]
    first = _start(cast, datetime.date(2026, 1, 10))
    _save(first, "aims", lead, AnswerInput("aims-local", "started"), AnswerInput("aims-smart", "embedded"))
    second = _start(cast, datetime.date(2026, 7, 10), start_from=first)
    _save(second, "aims", lead, AnswerInput("aims-local", "embedded"))
    listing = assessment_list(cast.org)
    assert [a.taken_on for a in listing.heat_map.assessments] == [first.taken_on, second.taken_on]
    rows = dict(listing.heat_map.rows)
    assert list(rows) == SECTION_TITLES
    assert [(cell.score, cell.rated, cell.questions) for cell in rows["Aims"]] == [(2.0, 2, 5), (3.0, 2, 5)]
    assert rows["Governance"][0].score is None
    page = cast.client(Role.VIEWER).get(reverse("self_assessments", args=[cast.org.slug])).content.decode()
    assert "3.0 · embedded" in page and "2 of 5 rated" in page


def test_the_list_says_when_the_next_one_is_due(cast) -> None:
    _start(cast, datetime.date(2026, 1, 31))
    with time_machine.travel(datetime.datetime(2026, 8, 3, 9, 0), tick=False):
        page = cast.client(Role.VIEWER).get(reverse("self_assessments", args=[cast.org.slug])).content.decode()
    assert "<strong>overdue</strong>: it was due on 31 Jul 2026" in page


# ---- Exports ----------------------------------------------------------------------------------------------


def test_xlsx_export_has_every_question_and_is_safe_from_formula_injection(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    _save(
        assessment, "aims", cast.members[Role.LEAD], AnswerInput("aims-local", "in_place", evidence='=HYPERLINK("x")')
    )
    response = cast.client(Role.VIEWER).get(reverse("self_assessment_xlsx", args=[cast.org.slug, assessment.code]))
    assert response["Content-Disposition"] == 'attachment; filename="self-assessment-2026-06-01.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Section", "Question", "Rating", "Previous rating")
    assert len(rows) == 71
    local = next(row for row in rows if row[1] == "We set local aims, not just the PACE national aims.")
    assert (local[0], local[2], local[4]) == ("Aims", "In place", '\'=HYPERLINK("x")')
    assert "local aims besides" in local[12]


def test_pdf_export(cast) -> None:
    assessment = _start(cast, datetime.date(2026, 6, 1))
    response = cast.client(Role.VIEWER).get(reverse("self_assessment_pdf", args=[cast.org.slug, assessment.code]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert len(response.content) > 5000
