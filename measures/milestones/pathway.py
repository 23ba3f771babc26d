"""Pathway settings: the organisation's milestones, the timescales between them and the derived
measures each timescale feeds (DESIGN.md §3).

Every organisation starts with the nine default milestones and six default timescales;
``pathway_create_defaults`` is idempotent and is called by the data migration, the demo seed and
lazily by the pathway and data pages, so organisations created in Django admin get them too.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from measures.milestones.files import DEFAULT_MILESTONES, MilestoneSpec
from measures.milestones.files.validation import identifying_header_kind, reference_pattern_problem
from measures.models import Child, Measure, Milestone, Timescale
from pace_hub.background import enqueue
from pace_hub.exports import FORMULA_STARTS
from pace_hub.models import Organisation


@dataclass(frozen=True)
class DefaultTimescale:
    from_code: str
    to_code: str
    target_days: int
    name: str
    basis: str


DEFAULT_TIMESCALES = (
    DefaultTimescale(
        "looked_after",
        "permanence_rec",
        183,
        "Looked after to permanence recommendation",
        "PACE national aim: permanence recommendation within 6 months of becoming looked after "
        "and accommodated (6 months taken as 183 days).",
    ),
    DefaultTimescale(
        "permanence_rec",
        "panel",
        84,
        "Permanence recommendation to panel",
        "Common local aim: panel within 12 weeks (84 days) of the LAC review recommendation.",
    ),
    DefaultTimescale(
        "panel",
        "adm_decision",
        14,
        "Panel to agency decision maker",
        "Adoption Agencies (Scotland) Regulations 2009, reg 13: decision within 14 days of the panel recommendation.",
    ),
    DefaultTimescale(
        "adm_decision",
        "court_lodged",
        84,
        "Agency decision maker to application lodged",
        "Local target: application lodged in court within 12 weeks (84 days) of the decision.",
    ),
    DefaultTimescale(
        "court_lodged",
        "order_granted",
        183,
        "Application lodged to order granted",
        "Local target: final order within 6 months (183 days) of the application.",
    ),
    DefaultTimescale(
        "looked_after",
        "order_granted",
        548,
        "Looked after to order granted",
        "Local target: final order within 18 months (548 days) of becoming looked after.",
    ),
)

# The measures each timescale feeds: derivation → (title suffix, chart, better, unit, kind).
DERIVED_MEASURES = {
    Measure.Derivation.MEDIAN_DAYS: (
        "median days",
        Measure.Chart.RUN,
        Measure.Better.DOWN,
        "days",
        Measure.Kind.PROCESS,
    ),
    Measure.Derivation.WITHIN_TARGET: (
        "% within target",
        Measure.Chart.P,
        Measure.Better.UP,
        "%",
        Measure.Kind.OUTCOME,
    ),
    Measure.Derivation.WAITING: (
        "children waiting past target",
        Measure.Chart.RUN,
        Measure.Better.DOWN,
        "children",
        Measure.Kind.PROCESS,
    ),
}


def milestone_specs(organisation: Organisation) -> list[MilestoneSpec]:
    """The organisation's active milestones in pathway order, as the file checker wants them."""
    return [
        MilestoneSpec(code, name)
        for code, name in Milestone.objects.for_organisation(organisation)
        .active()
        .order_by("order")
        .values_list("code", "name")
    ]


@transaction.atomic
def pathway_create_defaults(*, organisation: Organisation) -> bool:
    """Create the default milestones, timescales and derived measures if the organisation has no
    milestones yet. Returns whether anything was created."""
    if Milestone.objects.for_organisation(organisation).exists():
        return False
    milestones = {}
    for order, spec in enumerate(DEFAULT_MILESTONES, start=1):
        milestones[spec.code] = Milestone.objects.create(
            organisation=organisation, code=spec.code, name=spec.name, order=order * 10
        )
    for default in DEFAULT_TIMESCALES:
        timescale = Timescale.objects.create(
            organisation=organisation,
            from_milestone=milestones[default.from_code],
            to_milestone=milestones[default.to_code],
            target_days=default.target_days,
            name=default.name,
            basis=default.basis,
        )
        timescale_measures_ensure(timescale=timescale)
    return True


def pathway_ensure_defaults(organisation: Organisation) -> None:
    """For pages: give an organisation made elsewhere (Django admin) its default pathway."""
    if not Milestone.objects.for_organisation(organisation).exists():
        pathway_create_defaults(organisation=organisation)


def _measure_title(timescale: Timescale, suffix: str) -> str:
    return f"{timescale}: {suffix}"


def _measure_description(timescale: Timescale, derivation: str) -> tuple[str, str, str]:
    """(description, numerator, denominator) of a derived measure, in words."""
    start, end, days = timescale.from_milestone.name, timescale.to_milestone.name, timescale.target_days
    if derivation == Measure.Derivation.MEDIAN_DAYS:
        return (
            f"Median number of days from “{start}” to “{end}”, per calendar month in which "
            f"“{end}” was reached. Derived from milestone data.",
            "Days between the two milestones for each child who reached the later one that month",
            "",
        )
    if derivation == Measure.Derivation.WITHIN_TARGET:
        return (
            f"Of the children who reached “{start}” in a month, the percentage who reached "
            f"“{end}” within {days} days. A month stays provisional until every child in it "
            "has reached the milestone or run past the target.",
            f"Children who reached “{end}” within {days} days of “{start}”",
            f"Children who reached “{start}” in the month",
        )
    return (
        f"Children past the {days}-day target from “{start}” who had not reached “{end}” at the end of each month.",
        f"Children with “{start}” more than {days} days earlier and no “{end}” yet",
        "",
    )


def timescale_measures_ensure(*, timescale: Timescale) -> list[Measure]:
    """Create (or retitle) the derived measures of a timescale; archive them when it is off."""
    existing = {measure.derivation: measure for measure in Measure.objects.filter(timescale=timescale)}
    usable = timescale.active and timescale.from_milestone.active and timescale.to_milestone.active
    measures = []
    for derivation, (suffix, chart, better, unit, kind) in DERIVED_MEASURES.items():
        description, numerator, denominator = _measure_description(timescale, derivation)
        values = {
            "title": _measure_title(timescale, suffix),
            "description": description,
            "numerator": numerator,
            "denominator": denominator,
            "archived": not usable,
        }
        measure = existing.get(derivation)
        if measure is None:
            measure = Measure.objects.create(
                organisation=timescale.organisation,
                source=Measure.Source.DERIVED,
                timescale=timescale,
                derivation=derivation,
                chart=chart,
                better=better,
                unit=unit,
                kind=kind,
                target=90.0 if derivation == Measure.Derivation.WITHIN_TARGET else None,
                **values,
            )
        elif any(getattr(measure, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(measure, field, value)
            measure.save()
        measures.append(measure)
    return measures


@transaction.atomic
def milestone_create(*, organisation: Organisation, code: str, name: str, after: Milestone | None) -> Milestone:
    """Add a milestone to the pathway, after ``after`` (or first when None)."""
    milestones = list(Milestone.objects.for_organisation(organisation).select_for_update().order_by("order"))
    if any(milestone.code == code for milestone in milestones):
        raise ValidationError({"code": f"The code {code!r} is already used by another milestone."})
    if any(milestone.name.casefold() == name.casefold() for milestone in milestones):
        raise ValidationError({"name": f"The name {name!r} is already used by another milestone."})
    _refuse_identifying_name(name)
    milestone = Milestone(organisation=organisation, code=code, name=name, order=0)
    position = 0 if after is None else next(i + 1 for i, m in enumerate(milestones) if m.pk == after.pk)
    milestones.insert(position, milestone)
    milestone.order = (position + 1) * 10
    milestone.save()
    _renumber(milestones)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, name: str, active: bool) -> Milestone:
    """Rename or switch a milestone on or off. Its code and dates stay, so data is kept."""
    clash = (
        Milestone.objects.for_organisation(milestone.organisation)
        .filter(name__iexact=name)
        .exclude(pk=milestone.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"name": f"The name {name!r} is already used by another milestone."})
    if name != milestone.name:
        _refuse_identifying_name(name)
    milestone.name = name
    milestone.active = active
    milestone.save()
    for timescale in Timescale.objects.filter(organisation=milestone.organisation).select_related(
        "from_milestone", "to_milestone", "organisation"
    ):
        if milestone.pk in (timescale.from_milestone_id, timescale.to_milestone_id):
            timescale_measures_ensure(timescale=timescale)
    _recompute_after_commit(milestone.organisation)
    return milestone


def _refuse_identifying_name(name: str) -> None:
    """A milestone's name is an upload header: one that reads as identifying data would be
    refused in every upload (and must not make such a column look like a milestone), and one
    that starts like a formula would run in the spreadsheets it heads."""
    if name.startswith(FORMULA_STARTS):
        raise ValidationError(
            {"name": "A milestone name cannot start with = + - or @: spreadsheets read that as a formula."}
        )
    kind = identifying_header_kind(name)
    if kind is not None:
        raise ValidationError(
            {"name": f"“{name}” reads like {kind}; uploads refuse such columns. Choose another name."}
        )


@transaction.atomic
def reference_format_set(*, organisation: Organisation, pattern: str) -> int:
    """Set the organisation's child reference format; return how many references already held
    do not have it (they stay, and later uploads naming them show errors until corrected)."""
    problem = reference_pattern_problem(pattern)
    if problem:
        raise ValidationError({"child_reference_pattern": f"This format cannot be used: {problem}."})
    organisation.child_reference_pattern = pattern
    organisation.save(update_fields=["child_reference_pattern", "updated_at"])
    if not pattern:
        return 0
    compiled = re.compile(pattern, re.IGNORECASE)
    references = Child.objects.for_organisation(organisation).values_list("reference", flat=True)
    return sum(1 for reference in references.iterator() if not compiled.fullmatch(reference))


@transaction.atomic
def milestone_move(*, milestone: Milestone, direction: str) -> None:
    """Move a milestone one place up or down the pathway."""
    milestones = list(
        Milestone.objects.for_organisation(milestone.organisation).select_for_update().order_by("order", "pk")
    )
    index = next(i for i, m in enumerate(milestones) if m.pk == milestone.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(milestones):
        raise ValidationError(f"“{milestone.name}” cannot move {direction}.")
    milestones[index], milestones[other] = milestones[other], milestones[index]
    _renumber(milestones)


def _renumber(milestones: list[Milestone]) -> None:
    changed = []
    for position, milestone in enumerate(milestones, start=1):
        if milestone.order != position * 10:
            milestone.order = position * 10
            changed.append(milestone)
    Milestone.objects.bulk_update(changed, ["order"])


@transaction.atomic
def timescale_save(
    *,
    organisation: Organisation,
    timescale: Timescale | None,
    from_milestone: Milestone,
    to_milestone: Milestone,
    target_days: int,
    name: str,
    basis: str,
    active: bool,
) -> Timescale:
    """Create or change a timescale and its derived measures; recompute them after the commit."""
    if from_milestone.pk == to_milestone.pk:
        raise ValidationError({"to_milestone": "Choose two different milestones."})
    if from_milestone.order >= to_milestone.order:
        raise ValidationError({"to_milestone": f"“{to_milestone}” must come after “{from_milestone}” in the pathway."})
    clash = Timescale.objects.filter(
        organisation=organisation, from_milestone=from_milestone, to_milestone=to_milestone
    )
    if timescale is not None:
        clash = clash.exclude(pk=timescale.pk)
    if clash.exists():
        raise ValidationError({"to_milestone": "There is already a timescale between these two milestones."})
    if target_days < 1:
        raise ValidationError({"target_days": "The target must be at least one day."})
    timescale = timescale or Timescale(organisation=organisation)
    timescale.from_milestone = from_milestone
    timescale.to_milestone = to_milestone
    timescale.target_days = target_days
    timescale.name = name
    timescale.basis = basis
    timescale.active = active
    timescale.save()
    timescale_measures_ensure(timescale=timescale)
    _recompute_after_commit(organisation)
    return timescale


def _recompute_after_commit(organisation: Organisation) -> None:
    """Ask the worker to recompute the derived measures once the change is saved."""
    enqueue("measures.milestones.tasks.derived_measures_recompute_task", organisation.pk)
