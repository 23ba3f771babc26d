"""Writes for PDSA cycles. Keyword-only, typed, atomic; views call these."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from pdsa.models import ChangeIdea, PDSACycle, Prediction
from pdsa.services.annotations import sync_annotations_for_idea

PLAN_FIELDS = [
    "objective",
    "lead",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "data_to_collect",
    "data_collected_by",
    "setting",
    "scale_cases",
    "scale_teams",
    "start_date",
    "end_date",
]


DO_FIELDS = ["what_happened", "observations", "problems"]


STUDY_FIELDS = ["learning"]


ACT_FIELDS = ["decision", "next_steps"]


# Ideas still being tested: a new cycle moves them to "testing".
_BEFORE_TESTING = {ChangeIdea.Status.PROPOSED, ChangeIdea.Status.PARKED}


@dataclass(frozen=True)
class PredictionInput:
    question: str
    prediction: str


def cycle_status_for(
    *, objective: str, predictions: int, what_happened: str, observations: str, learning: str, decision: str
) -> str:
    """The phase a cycle is in, from what has been written so far.

    Plan is done when there is an objective and at least one prediction; Do when what happened
    is recorded; Study when the learning is written; Act when the decision is taken.
    """
    if decision:
        return PDSACycle.Status.COMPLETE
    if learning.strip():
        return PDSACycle.Status.ACT
    if what_happened.strip() or observations.strip():
        return PDSACycle.Status.STUDY
    if objective.strip() and predictions > 0:
        return PDSACycle.Status.DO
    return PDSACycle.Status.PLAN


def cycle_advance(*, cycle: PDSACycle) -> PDSACycle:
    """Bring the cycle's status (and its idea's) into line with its phases, and its chart marks."""
    status = cycle_status_for(
        objective=cycle.objective,
        predictions=cycle.predictions.count(),
        what_happened=cycle.what_happened,
        observations=cycle.observations,
        learning=cycle.learning,
        decision=cycle.decision,
    )
    if status != cycle.status:
        cycle.status = status
        cycle.save(update_fields=["status", "updated_at"])
    idea = cycle.change_idea
    if idea.status in _BEFORE_TESTING:
        idea.status = ChangeIdea.Status.TESTING
        idea.save(update_fields=["status", "updated_at"])
    elif cycle.decision == PDSACycle.Decision.ADOPT and idea.status == ChangeIdea.Status.TESTING:
        # Adopting after testing makes the idea ready for the group to decide on implementing.
        idea.status = ChangeIdea.Status.READY
        idea.save(update_fields=["status", "updated_at"])
    sync_annotations_for_idea(idea)
    return cycle


def _check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError({"end_date": "The end date must be on or after the start date."})


def _save_predictions(cycle: PDSACycle, predictions: Iterable[PredictionInput]) -> None:
    offset = cycle.predictions.aggregate(last=Max("order"))["last"] or 0
    for index, item in enumerate(predictions, start=1):
        Prediction.objects.create(
            organisation=cycle.organisation,
            cycle=cycle,
            question=item.question,
            prediction=item.prediction,
            order=offset + index,
        )


@transaction.atomic
def cycle_create(
    *,
    idea: ChangeIdea,
    objective: str,
    predictions: Iterable[PredictionInput] = (),
    **plan: object,
) -> PDSACycle:
    """Plan the next cycle in the idea's ramp; it takes the next number."""
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields {sorted(unknown)}")
    _check_dates(plan.get("start_date"), plan.get("end_date"))
    # Lock the idea so two people planning at once cannot take the same number.
    ChangeIdea.objects.select_for_update().filter(pk=idea.pk).first()
    number = (idea.cycles.aggregate(last=Max("number"))["last"] or 0) + 1
    cycle = PDSACycle.objects.create(
        organisation=idea.organisation, change_idea=idea, number=number, objective=objective, **plan
    )
    _save_predictions(cycle, predictions)
    return cycle_advance(cycle=cycle)


@transaction.atomic
def cycle_plan_update(
    *,
    cycle: PDSACycle,
    predictions_changed: Iterable[tuple[Prediction, PredictionInput | None]] = (),
    new_predictions: Iterable[PredictionInput] = (),
    **plan: object,
) -> PDSACycle:
    """Save the Plan: its fields, edited or removed predictions (None removes) and new ones."""
    unknown = set(plan) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields {sorted(unknown)}")
    _check_dates(plan.get("start_date", cycle.start_date), plan.get("end_date", cycle.end_date))
    for name, value in plan.items():
        setattr(cycle, name, value)
    cycle.save()
    for prediction, change in predictions_changed:
        if prediction.cycle_id != cycle.pk:
            raise ValidationError("That prediction belongs to another cycle.")
        if change is None:
            prediction.delete()
        else:
            prediction.question, prediction.prediction = change.question, change.prediction
            prediction.save(update_fields=["question", "prediction", "updated_at"])
    _save_predictions(cycle, new_predictions)
    return cycle_advance(cycle=cycle)


@transaction.atomic
def cycle_do_update(*, cycle: PDSACycle, what_happened: str, observations: str, problems: str) -> PDSACycle:
    cycle.what_happened, cycle.observations, cycle.problems = what_happened, observations, problems
    cycle.save(update_fields=[*DO_FIELDS, "updated_at"])
    return cycle_advance(cycle=cycle)


@transaction.atomic
def cycle_study_update(*, cycle: PDSACycle, learning: str, results: dict[int, str]) -> PDSACycle:
    """Record the result beside each prediction (keyed by prediction id) and the learning."""
    predictions = {p.pk: p for p in cycle.predictions.all()}
    for pk, result in results.items():
        if pk not in predictions:
            raise ValidationError("That prediction belongs to another cycle.")
        if predictions[pk].result != result:
            predictions[pk].result = result
            predictions[pk].save(update_fields=["result", "updated_at"])
    cycle.learning = learning
    cycle.save(update_fields=["learning", "updated_at"])
    return cycle_advance(cycle=cycle)


@transaction.atomic
def cycle_act_update(*, cycle: PDSACycle, decision: str, next_steps: str) -> PDSACycle:
    if decision and not cycle.learning.strip():
        raise ValidationError({"decision": "Write what you learned (Study) before deciding what to do next."})
    if decision and decision not in PDSACycle.Decision.values:
        raise ValidationError({"decision": "Choose adopt, adapt, abandon or run another cycle."})
    if decision in {PDSACycle.Decision.ADAPT, PDSACycle.Decision.ANOTHER} and not next_steps.strip():
        raise ValidationError({"next_steps": "Say what the next cycle will change or test."})
    cycle.decision, cycle.next_steps = decision, next_steps
    cycle.save(update_fields=[*ACT_FIELDS, "updated_at"])
    return cycle_advance(cycle=cycle)


def next_cycle_initial(idea: ChangeIdea) -> dict[str, object]:
    """Start the next cycle's plan from the last one: what to carry over, and a nudge to grow."""
    last = idea.cycles.order_by("-number").first()
    if last is None:
        return {}
    return {
        "objective": last.next_steps or last.objective,
        "plan_who": last.plan_who,
        "plan_what": last.plan_what,
        "data_to_collect": last.data_to_collect,
        "data_collected_by": last.data_collected_by,
        "setting": last.setting,
        "scale_cases": last.scale_cases,
        "scale_teams": last.scale_teams,
    }


@transaction.atomic
def cycle_delete(*, cycle: PDSACycle) -> None:
    idea = cycle.change_idea
    cycle.delete()
    sync_annotations_for_idea(idea)
