"""PDSA cycles: numbering in the ramp, the status that follows the phase, the cycle page with its
four editable phases, and who may do what."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pace_hub.roles import Role
from pdsa.models import ChangeIdea, PDSACycle
from pdsa.selectors.spread import ramp_steps
from pdsa.services.testing import (
    PredictionInput,
    cycle_act_update,
    cycle_create,
    cycle_do_update,
    cycle_plan_update,
    cycle_status_for,
    cycle_study_update,
    next_cycle_initial,
)
from tests.pdsa.factories import ChangeIdeaFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db

S = PDSACycle.Status


def _status(**parts: object) -> str:
    base = {"objective": "", "predictions": 0, "what_happened": "", "observations": "", "learning": "", "decision": ""}
    return cycle_status_for(**(base | parts))


def test_status_follows_the_phase() -> None:
    assert _status() == S.PLAN
    assert _status(objective="Find out") == S.PLAN  # no prediction yet: the plan is not done
    assert _status(objective="Find out", predictions=2) == S.DO
    assert _status(objective="Find out", predictions=1, what_happened="  ") == S.DO
    assert _status(objective="Find out", predictions=1, observations="Quicker") == S.STUDY
    assert _status(objective="Find out", predictions=1, what_happened="x", learning="We learned") == S.ACT
    assert _status(objective="x", predictions=1, what_happened="x", learning="y", decision="adapt") == S.COMPLETE


def test_cycles_take_the_next_number_and_move_the_idea_to_testing(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    first = cycle_create(idea=idea, objective="Test with one case", predictions=[PredictionInput("Q?", "P")])
    second = cycle_create(idea=idea, objective="Two cases", setting="South", scale_cases=2)
    assert (first.number, second.number) == (1, 2)
    assert first.status == S.DO and second.status == S.PLAN
    assert list(first.predictions.values_list("question", "prediction", "order")) == [("Q?", "P", 1)]
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.TESTING
    other = cycle_create(idea=ChangeIdeaFactory(organisation=org), objective="Elsewhere")
    assert other.number == 1


def test_plan_refuses_end_before_start(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    with pytest.raises(ValidationError) as error:
        cycle_create(idea=idea, objective="x", start_date=datetime.date(2026, 5, 2), end_date=datetime.date(2026, 5, 1))
    assert "end date" in str(error.value)
    assert not idea.cycles.exists()


def test_a_cycle_walks_through_plan_do_study_act(org) -> None:
    idea = ChangeIdeaFactory(organisation=org, status=ChangeIdea.Status.TESTING)
    cycle = cycle_create(
        idea=idea, objective="Book legal advice at the review", predictions=[PredictionInput("Q", "P")]
    )
    prediction = cycle.predictions.get()
    cycle_plan_update(
        cycle=cycle,
        predictions_changed=[(prediction, PredictionInput("Booked in 2 weeks?", "Yes"))],
        new_predictions=[PredictionInput("Do carers feel informed?", "Most will")],
        setting="North",
    )
    assert [p.question for p in cycle.predictions.all()] == ["Booked in 2 weeks?", "Do carers feel informed?"]
    cycle_do_update(cycle=cycle, what_happened="Booked in 9 days", observations="", problems="")
    assert cycle.status == S.STUDY
    first, second = cycle.predictions.all()
    with pytest.raises(ValidationError):
        cycle_act_update(cycle=cycle, decision="adopt", next_steps="")  # not studied yet
    cycle_study_update(
        cycle=cycle, learning="Quicker, carers liked it", results={first.pk: "9 days", second.pk: "3 of 4"}
    )
    assert cycle.status == S.ACT
    assert cycle.predictions.get(pk=first.pk).result == "9 days"
    with pytest.raises(ValidationError) as error:
        cycle_act_update(cycle=cycle, decision="adapt", next_steps=" ")
    assert "next cycle" in str(error.value)
    cycle_act_update(cycle=cycle, decision="adopt", next_steps="Spread to South")
    cycle.refresh_from_db()
    idea.refresh_from_db()
    assert cycle.status == S.COMPLETE and idea.status == ChangeIdea.Status.READY


def test_study_refuses_a_prediction_of_another_cycle(org) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=org), objective="x", predictions=[PredictionInput("Q", "P")]
    )
    other = cycle_create(
        idea=ChangeIdeaFactory(organisation=org), objective="y", predictions=[PredictionInput("Q", "P")]
    )
    with pytest.raises(ValidationError):
        cycle_study_update(cycle=cycle, learning="z", results={other.predictions.get().pk: "hacked"})


def test_next_cycle_starts_from_the_last_ones_next_steps(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    assert next_cycle_initial(idea) == {}
    PDSACycleFactory(change_idea=idea, number=1, next_steps="Try in South with 3 cases", setting="North", scale_cases=1)
    initial = next_cycle_initial(idea)
    assert initial["objective"] == "Try in South with 3 cases" and initial["setting"] == "North"


def test_ramp_steps_scale_bars_to_the_largest_cycle(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    cycles = [
        PDSACycleFactory(change_idea=idea, number=1, scale_cases=1),
        PDSACycleFactory(change_idea=idea, number=2, scale_cases=4),
        PDSACycleFactory(change_idea=idea, number=3, scale_cases=None),
    ]
    steps = ramp_steps(cycles, width=330, height=130, margin=30)
    assert [s.height for s in steps] == [25.0, 100.0, 0.0]
    assert [s.y for s in steps] == [75.0, 0.0, 100.0]
    assert steps[0].x < steps[1].x < steps[2].x
    assert ramp_steps([]) == []


# ---- Views -------------------------------------------------------------------------------------


def test_member_plans_a_cycle_with_predictions(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    url = f"/o/{cast.org.slug}/testing/ideas/{idea.code}/cycles/new/"
    client = cast.client(Role.MEMBER)
    assert client.get(url).status_code == 200
    data = {
        "objective": "Book legal advice at the first review",
        "setting": "North locality",
        "scale_cases": "2",
        "scale_teams": "1",
        "start_date": "2026-05-01",
        "end_date": "2026-05-29",
        "predictions-TOTAL_FORMS": "2",
        "predictions-INITIAL_FORMS": "0",
        "predictions-0-question": "Will it be booked within 2 weeks?",
        "predictions-0-prediction": "Yes, in 10 days",
        "predictions-1-question": "",
        "predictions-1-prediction": "",
    }
    response = client.post(url, data)
    cycle = PDSACycle.objects.get(change_idea=idea)
    assert response.status_code == 302 and response["Location"] == cycle.get_absolute_url()
    assert cycle.number == 1 and cycle.status == S.DO and cycle.scale_cases == 2
    assert cycle.predictions.get().prediction == "Yes, in 10 days"


def test_a_question_without_a_prediction_is_refused(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/ideas/{idea.code}/cycles/new/",
        {
            "objective": "x",
            "predictions-TOTAL_FORMS": "1",
            "predictions-INITIAL_FORMS": "0",
            "predictions-0-question": "Will it be quicker?",
            "predictions-0-prediction": "",
        },
    )
    assert response.status_code == 200
    assert "Write what you predict will happen for this question." in response.content.decode()
    assert not PDSACycle.objects.exists()


def test_cycle_page_saves_each_phase(cast) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=cast.org), objective="x", predictions=[PredictionInput("Q", "P")]
    )
    base = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/"
    client = cast.client(Role.MEMBER)
    # Only the current phase (Do) is open; the filled Plan reads as a summary with its Edit button.
    page = client.get(base).content.decode()
    assert "Save Do" in page and "Save Plan" not in page and "Save Study" not in page
    assert f'href="{base}?edit=plan#plan"' in page and "Edit Study" in page
    assert client.post(base + "do/", {"what_happened": "", "observations": ""}).status_code == 400
    assert client.post(base + "do/", {"what_happened": "Booked in 9 days"}).status_code == 302
    prediction = cycle.predictions.get()
    response = client.post(base + "study/", {"learning": "Quicker", f"result_{prediction.pk}": "9 days"})
    assert response.status_code == 302
    response = client.post(base + "act/", {"decision": "adapt", "next_steps": "Try in South"})
    assert response.status_code == 302 and response["Location"].endswith("#act")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.decision, cycle.predictions.get().result) == (S.COMPLETE, "adapt", "9 days")
    page = client.get(base).content.decode()
    assert "Plan the next cycle" in page
    # Once the next cycle is planned, this one no longer offers to plan it.
    cycle_create(idea=cycle.change_idea, objective="Two cases in South")
    assert "Plan the next cycle" not in client.get(base).content.decode()


def test_a_completed_cycle_reads_as_a_summary_with_an_edit_button_per_phase(cast) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=cast.org),
        objective="Book legal advice at the review",
        predictions=[PredictionInput("Booked within 2 weeks?", "Yes, in 10 days")],
        lead=cast.members[Role.MEMBER],
    )
    cycle_do_update(cycle=cycle, what_happened="Held after 19 days", observations="", problems="Diary full")
    cycle_study_update(cycle=cycle, learning="The diary is the constraint", results={cycle.predictions.get().pk: "19"})
    cycle_act_update(cycle=cycle, decision="adopt", next_steps="")
    base = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/"
    client = cast.client(Role.MEMBER)
    page = client.get(base).content.decode()
    assert "<textarea" not in page and "Save " not in page
    for phase in ("Plan", "Do", "Study", "Act"):
        assert f'id="edit-{phase.lower()}"' in page and f"Edit {phase}</a>" in page
    for shown in ("Yes, in 10 days", "Held after 19 days", "Diary full", "The diary is the constraint", "Adopt"):
        assert shown in page
    assert cast.members[Role.MEMBER].display_name in page  # who led it
    # Edit opens only that phase's form, with a way back.
    study = client.get(base + "?edit=study").content.decode()
    assert "Save Study" in study and "Save Plan" not in study and "Save Act" not in study
    assert "Cancel<span" in study
    # A viewer reads the same summary without any Edit button.
    viewer = cast.client(Role.VIEWER).get(base + "?edit=study").content.decode()
    assert "The diary is the constraint" in viewer and "Edit Study" not in viewer and "Save Study" not in viewer


def test_open_phases_are_the_current_one_one_asked_for_and_one_with_errors(org) -> None:
    from pdsa.views.testing import open_phases

    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=org), status=S.STUDY)
    assert open_phases(cycle, editable=True) == {"plan": False, "do": False, "study": True, "act": False}
    assert open_phases(cycle, editable=True, asked="plan")["plan"]
    assert open_phases(cycle, editable=True, asked="nonsense") == open_phases(cycle, editable=True)
    assert open_phases(cycle, editable=True, bound=["act_form"])["act"]
    assert not any(open_phases(cycle, editable=False, asked="plan").values())
    cycle.status = S.COMPLETE
    assert not any(open_phases(cycle, editable=True).values())


def test_htmx_edit_returns_the_phase_with_its_form_and_save_swaps_the_next_phase(cast) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=cast.org), objective="x", predictions=[PredictionInput("Q", "P")]
    )
    base = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/"
    client = cast.client(Role.MEMBER)
    page = client.get(base).content.decode()
    # The current phase's form also replaces the next phase when saved (it opens there).
    assert 'hx-select-oob="#cycle-status,#phase-steps,#study"' in page
    assert f'hx-get="{base}?edit=plan"' in page
    edit = client.get(base + "?edit=plan", HTTP_HX_REQUEST="true").content.decode()
    assert "Save Plan" in edit
    # Saving a past phase (the Plan, while at Do) leaves the other sections alone.
    assert 'hx-select-oob="#cycle-status,#phase-steps"' in edit


def test_whoever_plans_a_cycle_leads_it_unless_they_name_someone_else(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    member = cast.members[Role.MEMBER]
    response = cast.client(Role.MEMBER).get(f"/o/{cast.org.slug}/testing/ideas/{idea.code}/cycles/new/")
    assert response.context["form"]["lead"].value() == member.pk
    assert f'<option value="{member.pk}" selected>' in response.content.decode()


def test_plan_form_edits_and_removes_predictions(cast) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=cast.org),
        objective="x",
        predictions=[PredictionInput("Q1", "P1"), PredictionInput("Q2", "P2")],
    )
    first, second = cycle.predictions.all()
    response = cast.client(Role.MEMBER).post(
        f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/plan/",
        {
            "objective": "Sharper objective",
            "predictions-TOTAL_FORMS": "3",
            "predictions-INITIAL_FORMS": "2",
            "predictions-0-id": first.pk,
            "predictions-0-question": "Q1 edited",
            "predictions-0-prediction": "P1",
            "predictions-1-id": second.pk,
            "predictions-1-question": "Q2",
            "predictions-1-prediction": "P2",
            "predictions-1-DELETE": "on",
            "predictions-2-question": "Q3",
            "predictions-2-prediction": "P3",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.objective == "Sharper objective"
    assert [p.question for p in cycle.predictions.all()] == ["Q1 edited", "Q3"]


def test_viewer_reads_the_cycle_but_gets_no_forms_and_cannot_post(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org), objective="Read me")
    client = cast.client(Role.VIEWER)
    page = client.get(f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/").content.decode()
    assert "Read me" in page and "Save Plan" not in page and "/plan/" not in page
    for phase in ("plan", "do", "study", "act"):
        assert client.post(f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/{phase}/", {}).status_code == 403


def test_outsider_cannot_reach_the_cycle(cast) -> None:
    cycle = PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org))
    client = cast.client("outsider")
    assert client.get(f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/").status_code == 404
    assert client.get(f"/o/{cast.other_org.slug}/testing/cycles/{cycle.code}/").status_code == 404


def test_the_idea_page_holds_its_testing_in_a_constant_number_of_queries(
    cast, django_assert_max_num_queries
) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    client = cast.client(Role.MEMBER)
    url = f"/o/{cast.org.slug}/testing/ideas/{idea.code}/"
    PDSACycleFactory(change_idea=idea, number=1)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(2, 8):
        PDSACycleFactory(change_idea=idea, number=n, setting=f"Locality {n}", scale_cases=n)
    with django_assert_max_num_queries(len(few)):
        page = client.get(url)
    assert "Cycle 7" in page.content.decode()


def test_the_old_testing_address_goes_to_the_idea_page(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    response = cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/testing/ideas/{idea.code}/cycles/")
    assert response.status_code == 302
    assert response["Location"] == f"/o/{cast.org.slug}/testing/ideas/{idea.code}/#cycles"
    foreign = ChangeIdeaFactory(organisation=cast.other_org)
    assert cast.client(Role.VIEWER).get(f"/o/{cast.org.slug}/testing/ideas/{foreign.code}/cycles/").status_code == 404


def test_only_admins_delete_a_cycle_and_its_chart_marks_go(cast) -> None:
    from measures.models import Annotation
    from tests.aims.factories import AimFactory, AimMeasureFactory

    idea = ChangeIdeaFactory(organisation=cast.org)
    idea.aims.add(AimFactory(organisation=cast.org, outcome_measure=AimMeasureFactory(organisation=cast.org)))
    cycle = cycle_create(idea=idea, objective="x", start_date=datetime.date(2026, 5, 1))
    assert Annotation.objects.count() == 1
    url = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/delete/"
    assert cast.client(Role.LEAD).post(url).status_code == 403
    assert cast.client(Role.ADMIN).post(url).status_code == 302
    assert not PDSACycle.objects.exists() and not Annotation.objects.exists()


def test_htmx_save_returns_the_page_with_the_section_marked_saved(cast) -> None:
    cycle = cycle_create(
        idea=ChangeIdeaFactory(organisation=cast.org), objective="x", predictions=[PredictionInput("Q", "P")]
    )
    client = cast.client(Role.MEMBER)
    url = f"/o/{cast.org.slug}/testing/cycles/{cycle.code}/do/"
    response = client.post(url, {"what_happened": "Held in 9 days"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and "✓ Do saved. Status: Studying." in page
    assert 'id="cycle-status"' in page and 'id="phase-steps"' in page
    invalid = client.post(url, {"what_happened": ""}, HTTP_HX_REQUEST="true")
    assert invalid.status_code == 200 and "Write what happened" in invalid.content.decode()
    cycle.refresh_from_db()
    assert cycle.what_happened == "Held in 9 days"
