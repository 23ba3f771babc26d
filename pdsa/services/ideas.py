"""Writes for change ideas: keyword-only, typed, atomic (STYLE.md)."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.models import Aim, Driver
from pace_hub.models import Organisation
from pdsa.models import ChangeIdea
from pdsa.services.annotations import sync_annotations_for_idea

IDEA_FIELDS = ("title", "description", "source", "source_detail", "lead", "status")


def _same_organisation(organisation: Organisation, rows: Iterable, what: str) -> list:
    rows = list(rows)
    if any(row.organisation_id != organisation.id for row in rows):
        raise ValidationError(f"A chosen {what} belongs to another organisation.")
    return rows


def _link(idea: ChangeIdea, aims: Iterable[Aim], drivers: Iterable[Driver]) -> None:
    aims = _same_organisation(idea.organisation, aims, "aim")
    drivers = _same_organisation(idea.organisation, drivers, "driver")
    # A change idea pushing a driver works towards that driver's aim too.
    aim_ids = {aim.pk for aim in aims} | {driver.aim_id for driver in drivers}
    idea.aims.set(aim_ids)
    idea.drivers.set(drivers)
    # The aims it serves decide which charts carry its cycles and go-live date.
    sync_annotations_for_idea(idea)


@transaction.atomic
def change_idea_create(
    *,
    organisation: Organisation,
    data: dict,
    aims: Iterable[Aim] = (),
    drivers: Iterable[Driver] = (),
) -> ChangeIdea:
    idea = ChangeIdea(organisation=organisation)
    for name in IDEA_FIELDS:
        if name in data:
            setattr(idea, name, data[name])
    if idea.lead is not None and idea.lead.organisation_id != organisation.id:
        raise ValidationError({"lead": "The lead must be a member of this organisation."})
    idea.save()
    _link(idea, aims, drivers)
    return idea


@transaction.atomic
def change_idea_update(
    *,
    idea: ChangeIdea,
    data: dict,
    aims: Iterable[Aim] | None = None,
    drivers: Iterable[Driver] | None = None,
) -> ChangeIdea:
    for name in IDEA_FIELDS:
        if name in data:
            setattr(idea, name, data[name])
    if idea.lead is not None and idea.lead.organisation_id != idea.organisation_id:
        raise ValidationError({"lead": "The lead must be a member of this organisation."})
    idea.save()
    if aims is not None or drivers is not None:
        _link(
            idea,
            aims if aims is not None else idea.aims.all(),
            drivers if drivers is not None else idea.drivers.all(),
        )
    return idea


def change_idea_set_status(*, idea: ChangeIdea, status: str) -> ChangeIdea:
    if status not in ChangeIdea.Status.values:
        raise ValidationError(f"{status!r} is not a change-idea status.")
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    return idea


@transaction.atomic
def driver_ideas_set(*, driver: Driver, ideas: Iterable[ChangeIdea]) -> None:
    """Which change ideas push this driver (they are linked to the driver's aim as well)."""
    ideas = _same_organisation(driver.organisation, ideas, "change idea")
    driver.change_ideas.set(ideas)
    for idea in ideas:
        idea.aims.add(driver.aim_id)
        sync_annotations_for_idea(idea)
