"""Sharing across Scotland: publish a change package or a cycle summary as a snapshot, and copy
a published change into one's own organisation.

The snapshot copies text at the moment of publishing and never includes feedback text, what
happened in a case or anything else that could carry child data.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pace_hub.identifying import FULL_NAME, Finding, describe_labelled, findings_in
from pace_hub.models import Membership, Organisation
from pdsa.models import ChangeIdea, Implementation, PDSACycle, PublishedItem
from pdsa.selectors.spread import spread_for_idea

WHO_TO_CONTACT = "Who to contact"


def _lines(*parts: tuple[str, str]) -> str:
    return "\n\n".join(f"{title}\n{text.strip()}" for title, text in parts if text and text.strip())


def change_package_parts(implementation: Implementation) -> list[tuple[str, str]]:
    """The change package's sections as (title, text), as the library shows them."""
    idea = implementation.change_idea
    cycles = list(idea.cycles.order_by("number"))
    ramp = "\n".join(
        f"Cycle {c.number}: {c.setting or 'setting not recorded'}"
        f"{f', {c.scale_cases} cases' if c.scale_cases else ''} — {c.get_decision_display() or c.get_status_display()}"
        + (f". Learning: {c.learning.strip()}" if c.learning.strip() else "")
        for c in cycles
    )
    resources = "\n".join(
        f"{r.title}{f' — {r.url}' if r.url else ''}" for r in implementation.resources.order_by("title")
    )
    return [
        ("What the new process or practice is", implementation.guidance_what),
        ("Why it was introduced", implementation.guidance_why),
        ("How it was tested", ramp),
        ("Spread and readiness", spread_for_idea(idea).summary),
        ("Resources", resources),
        (WHO_TO_CONTACT, implementation.contacts),
    ]


def change_package_snapshot(implementation: Implementation) -> dict[str, str]:
    idea = implementation.change_idea
    summary = idea.description.strip() or implementation.guidance_what.strip()[:400] or idea.title
    return {"title": idea.title, "summary": summary[:1000], "body": _lines(*change_package_parts(implementation))}


def cycle_summary_parts(cycle: PDSACycle) -> list[tuple[str, str]]:
    """The cycle summary's sections as (title, text), as the library shows them."""
    predictions = "\n".join(
        f"Q: {p.question}\nPredicted: {p.prediction}\nResult: {p.result or 'not recorded'}"
        for p in cycle.predictions.all()
    )
    scale = ", ".join(
        part
        for part in (
            cycle.setting,
            f"{cycle.scale_cases} cases" if cycle.scale_cases else "",
            f"{cycle.scale_teams} teams" if cycle.scale_teams else "",
        )
        if part
    )
    return [
        ("Objective", cycle.objective),
        ("Setting and scale", scale),
        ("Questions, predictions and results", predictions),
        ("What we learned", cycle.learning),
        ("Decision", cycle.get_decision_display()),
        ("What next", cycle.next_steps),
    ]


def cycle_summary_snapshot(cycle: PDSACycle) -> dict[str, str]:
    return {
        "title": f"{cycle.change_idea.title}: PDSA cycle {cycle.number}",
        "summary": (cycle.learning.strip() or cycle.objective.strip())[:1000],
        "body": _lines(*cycle_summary_parts(cycle)),
    }


def publication_findings(kind: str, source) -> list[tuple[str, Finding]]:
    """Identifying details in what publishing would share with every council: (section, finding).
    Staff named under "Who to contact" are expected; a CHI number or postcode there is not."""
    if kind == PublishedItem.Kind.CHANGE_PACKAGE:
        snapshot, parts = change_package_snapshot(source), change_package_parts(source)
    else:
        snapshot, parts = cycle_summary_snapshot(source), cycle_summary_parts(source)
    found = findings_in({"Title": snapshot["title"], "Summary": snapshot["summary"], **dict(parts)})
    return [(label, finding) for label, finding in found if not (label == WHO_TO_CONTACT and finding.kind == FULL_NAME)]


@transaction.atomic
def publish(*, kind: str, source, membership: Membership) -> PublishedItem:
    """Publish (or republish, replacing the earlier snapshot) a change package or cycle summary."""
    if kind == PublishedItem.Kind.CHANGE_PACKAGE:
        if not source.guidance_what.strip():
            raise ValidationError("Write the change package's guidance before sharing it.")
        snapshot, idea_code = change_package_snapshot(source), source.change_idea.code
    elif kind == PublishedItem.Kind.CYCLE_SUMMARY:
        if not source.learning.strip():
            raise ValidationError("Study the cycle (write what you learned) before sharing it.")
        snapshot, idea_code = cycle_summary_snapshot(source), source.change_idea.code
    else:
        raise ValidationError("Unknown kind of item.")
    if source.organisation_id != membership.organisation_id:
        raise PermissionDenied("Only the organisation that owns it can publish it.")
    found = publication_findings(kind, source)
    if found:
        raise ValidationError(
            "Not published: every council would read it, and it seems to hold identifying details: "
            f"{describe_labelled(found)}. Edit them out (children and families must not be identifiable), "
            "then publish again."
        )
    item, _ = PublishedItem.objects.update_or_create(
        organisation=membership.organisation,
        source_code=source.code,
        defaults={
            "kind": kind,
            "source_idea_code": idea_code,
            "organisation_name": membership.organisation.name,
            "published_by": membership.user,
            "published_by_name": membership.display_name,
            "published_at": timezone.now(),
            **snapshot,
        },
    )
    return item


@transaction.atomic
def withdraw(*, item: PublishedItem, membership: Membership) -> None:
    if item.organisation_id != membership.organisation_id:
        raise PermissionDenied("Only the organisation that published it can withdraw it.")
    item.delete()


@transaction.atomic
def copy_to_organisation(*, item: PublishedItem, organisation: Organisation, membership: Membership) -> ChangeIdea:
    """A new change idea in one's own organisation, from another authority's published item."""
    if item.organisation_id == organisation.pk:
        raise ValidationError("This is your own organisation's item; it is already among your change ideas.")
    copied = ChangeIdea.objects.filter(
        organisation=organisation, source=ChangeIdea.Source.OTHER_AUTHORITY, title=item.title[:200]
    ).first()
    if copied is not None:
        raise ValidationError(f"“{copied.title}” was already copied into {organisation.name}.")
    description = f"{item.summary}\n\nFrom {item.organisation_name}'s {item.get_kind_display().lower()}:\n\n{item.body}"
    return ChangeIdea.objects.create(
        organisation=organisation,
        title=item.title[:200],
        description=description,
        source=ChangeIdea.Source.OTHER_AUTHORITY,
        source_detail=f"{item.organisation_name} (shared in the PACE Hub library)"[:200],
        lead=membership,
    )
