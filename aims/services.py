"""Writes for aims and driver diagrams: keyword-only, typed, atomic (STYLE.md)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims.models import Aim, AimVersion, Driver
from aims.statements import TEMPLATES_BY_KEY, compose_statement, missing_parts
from measures.models import Measure
from pace_hub.models import Organisation

# The parts a refresh may change; an earlier version keeps them as they were.
SMART_FIELDS = (
    "population",
    "improvement",
    "baseline_value",
    "baseline_label",
    "target_value",
    "unit",
    "start_date",
    "by_date",
)
EDITABLE_FIELDS = (
    "title",
    "kind",
    "status",
    "lead",
    "aims_group",
    "outcome_measure",
    "review_interval_days",
    *SMART_FIELDS,
)


def _parts_of(aim: Aim) -> dict:
    return {name: getattr(aim, name) for name in SMART_FIELDS}


def _json_parts(aim: Aim) -> dict:
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value for name, value in _parts_of(aim).items()
    }


def _validate_and_compose(aim: Aim) -> None:
    """Compose the statement; an active aim must have every SMART part."""
    if aim.status == Aim.Status.ACTIVE:
        missing = missing_parts(_parts_of(aim))
        if missing:
            raise ValidationError(missing)
    if aim.target_value is not None and aim.target_value == aim.baseline_value:
        raise ValidationError({"target_value": "The target must differ from the baseline: it is the change aimed for."})
    if aim.by_date and aim.start_date and aim.by_date <= aim.start_date:
        raise ValidationError({"by_date": "The date to achieve the aim by must come after its start date."})
    aim.statement = compose_statement(
        population=aim.population,
        improvement=aim.improvement,
        baseline_value=aim.baseline_value,
        baseline_label=aim.baseline_label,
        target_value=aim.target_value,
        unit=aim.unit,
        by_date=aim.by_date,
    )


def _check_measures(organisation: Organisation, measures: Iterable[Measure], outcome: Measure | None) -> list[Measure]:
    measures = list(measures)
    for measure in [*measures, *([outcome] if outcome else [])]:
        if measure.organisation_id != organisation.id:
            raise ValidationError("A linked measure belongs to another organisation.")
    return [measure for measure in measures if outcome is None or measure.pk != outcome.pk]


@transaction.atomic
def aim_create(
    *, organisation: Organisation, data: dict, measures: Iterable[Measure] = (), template: str = ""
) -> Aim:
    """A new aim; ``template`` is the key of the aim template it was started from, if any."""
    if template and template not in TEMPLATES_BY_KEY:
        raise ValidationError(f"There is no aim template called “{template}”.")
    aim = Aim(organisation=organisation, template=template)
    for name, value in data.items():
        if name in EDITABLE_FIELDS:
            setattr(aim, name, value)
    _validate_and_compose(aim)
    others = _check_measures(organisation, measures, aim.outcome_measure)
    aim.save()
    aim.measures.set(others)
    return aim


@transaction.atomic
def aim_update(*, aim: Aim, data: dict, measures: Iterable[Measure] | None = None) -> Aim:
    """Edit an aim. SMART parts of an aim that is no longer a draft change only through
    ``aim_refresh``, which keeps the earlier version and the reason."""
    was_draft = aim.status == Aim.Status.DRAFT
    if not was_draft and data.get("status") == Aim.Status.DRAFT:
        # Otherwise a detour through draft would change the statement without keeping a version.
        raise ValidationError({"status": "An aim that has left draft cannot go back: refresh it, or retire it."})
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name in SMART_FIELDS and not was_draft and getattr(aim, name) != value:
            raise ValidationError({name: "Refresh the aim to change its statement, so the earlier version is kept."})
        setattr(aim, name, value)
    _validate_and_compose(aim)
    if measures is not None:
        others = _check_measures(aim.organisation, measures, aim.outcome_measure)
        aim.measures.set(others)
    aim.save()
    return aim


@transaction.atomic
def aim_refresh(*, aim: Aim, parts: dict, reason: str, user, today: datetime.date | None = None) -> AimVersion:
    """Refresh an aim: keep the current version (statement, parts, reason, date) and apply the new
    parts. Refreshing is also a review, so ``last_reviewed`` moves to today."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the aim is being refreshed, so the history makes sense later."})
    aim = Aim.objects.select_for_update().get(pk=aim.pk)
    before = _json_parts(aim)
    earlier = AimVersion.objects.create(
        organisation=aim.organisation,
        aim=aim,
        version=aim.version,
        statement=aim.statement,
        parts=before,
        reason=reason,
        changed_by=user,
    )
    for name, value in parts.items():
        if name in SMART_FIELDS:
            setattr(aim, name, value)
    if _json_parts(aim) == before:
        raise ValidationError("Nothing in the aim changed. Change at least one part, or mark it reviewed instead.")
    _validate_and_compose(aim)
    aim.version += 1
    aim.last_reviewed = today or timezone.localdate()
    aim.save()
    return earlier


def aim_mark_reviewed(*, aim: Aim, today: datetime.date | None = None) -> Aim:
    aim.last_reviewed = today or timezone.localdate()
    aim.save(update_fields=["last_reviewed", "updated_at"])
    return aim


def aim_set_progress_score(*, aim: Aim, score: str) -> Aim:
    if score not in dict(Aim.PROGRESS_SCORES):
        raise ValidationError(f"{score!r} is not a score on the IHI progress scale (0.5 to 5.0).")
    aim.progress_score = score
    aim.save(update_fields=["progress_score", "updated_at"])
    return aim


@transaction.atomic
def driver_add(*, aim: Aim, text: str, parent: Driver | None = None) -> Driver:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write what the driver is."})
    if parent is not None:
        if parent.aim_id != aim.pk:
            raise ValidationError("The primary driver belongs to another aim.")
        if not parent.is_primary:
            raise ValidationError("Secondary drivers sit under a primary driver, not under another secondary one.")
    last = Driver.objects.filter(aim=aim, parent=parent).aggregate(last=Max("order"))["last"]
    return Driver.objects.create(
        organisation=aim.organisation, aim=aim, parent=parent, text=text, order=0 if last is None else last + 1
    )


def driver_update(*, driver: Driver, text: str) -> Driver:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write what the driver is."})
    driver.text = text
    driver.save(update_fields=["text", "updated_at"])
    return driver


def driver_delete(*, driver: Driver) -> None:
    """Remove a driver (and, for a primary driver, its secondary drivers). Change ideas stay."""
    driver.delete()


@transaction.atomic
def driver_move(*, driver: Driver, up: bool) -> None:
    """Swap a driver with its neighbour among its siblings; orders are renumbered 0..n-1."""
    siblings = list(
        Driver.objects.select_for_update()
        .filter(aim_id=driver.aim_id, parent_id=driver.parent_id)
        .order_by("order", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == driver.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order", "updated_at"])
