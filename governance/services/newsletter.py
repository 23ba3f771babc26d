"""The newsletter: drafted from recent learning, edited, exported as e-mail-ready HTML and as
PDF, and logged in the communications log when issued. Keyword-only, typed, atomic."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from governance.models import Communication, Newsletter, NewsletterSection
from governance.selectors.newsletter import LearningItem, recent_learning
from pace_hub.models import Organisation

Kind = NewsletterSection.Kind


def _items_body(intro: str, items: list[LearningItem], empty: str, site_url: str) -> str:
    if not items:
        return empty
    lines = [intro, ""]
    for item in items:
        link = f" {site_url}{item.link}" if item.link else ""
        lines.append(f"- {item.title}: {item.text}{link}")
    return "\n".join(lines)


def _period(start: datetime.date, end: datetime.date) -> str:
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"


@transaction.atomic
def newsletter_draft(
    *,
    organisation: Organisation,
    period_start: datetime.date,
    period_end: datetime.date,
    created_by,
    title: str = "",
    site_url: str = "",
) -> Newsletter:
    """A draft newsletter with a section for each kind of recent learning in the period."""
    errors = {}
    if period_end < period_start:
        errors["period_end"] = "The period must end on or after the day it starts."
    if period_end > timezone.localdate():
        errors["period_end"] = "Draft from learning that has happened: the period cannot end in the future."
    if errors:
        raise ValidationError(errors)
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    learning = recent_learning(organisation, start=period_start, end=period_end)
    span = _period(period_start, period_end)
    newsletter = Newsletter.objects.create(
        organisation=organisation,
        title=(title.strip() or f"{organisation.name} PACE newsletter: {period_end:%B %Y}")[:200],
        period_start=period_start,
        period_end=period_end,
        intro=(
            f"What the {organisation.name} PACE (Permanence and Care Excellence) work has tested, learned and "
            f"changed from {span}."
        ),
        created_by=created_by,
    )
    sections = [
        (
            Kind.CYCLES,
            _items_body(
                "PDSA cycles we completed, and what each one taught us:",
                learning.cycles,
                f"No PDSA cycles were completed from {span}.",
                site_url,
            ),
        ),
        (
            Kind.CHANGES,
            _items_body(
                "New ways of working that have gone live, with their change packages:",
                learning.changes,
                f"No changes went live from {span}.",
                site_url,
            ),
        ),
        (
            Kind.YOU_SAID,
            _items_body(
                "What children, families, carers and colleagues told us, and what we did about it:",
                learning.you_said,
                f"No \u201cyou said, we did\u201d responses were recorded from {span}.",
                "",
            ),
        ),
        (
            Kind.AIMS,
            _items_body("Where each of our active aims stands:", learning.aims, "There are no active aims.", site_url),
        ),
    ]
    NewsletterSection.objects.bulk_create(
        NewsletterSection(
            organisation=organisation,
            newsletter=newsletter,
            position=position,
            kind=kind,
            heading=kind.label,
            body=body,
        )
        for position, (kind, body) in enumerate(sections)
    )
    return newsletter


@dataclass
class SectionInput:
    section: NewsletterSection | None  # None for a new section
    heading: str
    body: str
    delete: bool = False


@transaction.atomic
def newsletter_update(*, newsletter: Newsletter, title: str, intro: str, sections: list[SectionInput]) -> Newsletter:
    if newsletter.status == Newsletter.Status.ISSUED:
        raise ValidationError("This newsletter has been issued: it is part of the record and no longer changes.")
    if not title.strip():
        raise ValidationError({"title": "Give the newsletter a title."})
    for item in sections:
        if item.section is not None and item.section.newsletter_id != newsletter.pk:
            raise ValidationError("That section belongs to another newsletter.")
    newsletter.title, newsletter.intro = title.strip(), intro.strip()
    newsletter.save()
    position = 0
    for item in sections:
        if item.delete:
            if item.section is not None:
                item.section.delete()
            continue
        if item.section is None:
            if not item.heading.strip():
                continue
            NewsletterSection.objects.create(
                organisation=newsletter.organisation,
                newsletter=newsletter,
                position=position,
                heading=item.heading.strip(),
                body=item.body.strip(),
            )
        else:
            if not item.heading.strip():
                raise ValidationError("Every section needs a heading (tick delete to remove one).")
            item.section.heading, item.section.body, item.section.position = (
                item.heading.strip(),
                item.body.strip(),
                position,
            )
            item.section.save()
        position += 1
    return newsletter


@transaction.atomic
def newsletter_issue(*, newsletter: Newsletter, issued_on: datetime.date, audience: str, recorded_by) -> Communication:
    """Issue the newsletter and log it in the communications log."""
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if newsletter.status == Newsletter.Status.ISSUED:
        raise ValidationError(f"This newsletter was already issued on {newsletter.issued_on:%-d %B %Y}.")
    if issued_on > timezone.localdate():
        raise ValidationError({"issued_on": "Issue it on the day it goes out: the date cannot be in the future."})
    if not audience.strip():
        raise ValidationError({"audience": "Say who it went to."})
    newsletter.status, newsletter.issued_on = Newsletter.Status.ISSUED, issued_on
    newsletter.save()
    headings = "; ".join(newsletter.sections.values_list("heading", flat=True))
    return Communication.objects.create(
        organisation=newsletter.organisation,
        date=issued_on,
        channel=Communication.Channel.NEWSLETTER,
        audience=audience.strip(),
        summary=f"Newsletter \u201c{newsletter.title}\u201d: {headings}.",
        links=newsletter.get_absolute_url(),
        newsletter=newsletter,
        recorded_by=recorded_by,
    )


@transaction.atomic
def newsletter_delete(*, newsletter: Newsletter) -> None:
    if newsletter.status == Newsletter.Status.ISSUED:
        raise ValidationError("An issued newsletter is part of the record and cannot be deleted.")
    newsletter.delete()


# ---- Exports --------------------------------------------------------------------------------------


def body_blocks(body: str) -> list[tuple[str, object]]:
    """A section body as paragraphs and lists: ("p", text) or ("ul", [items])."""
    blocks: list[tuple[str, object]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(("p", " ".join(paragraph)))
            paragraph.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ")):
            flush()
            if blocks and blocks[-1][0] == "ul":
                blocks[-1][1].append(line[2:].strip())
            else:
                blocks.append(("ul", [line[2:].strip()]))
        elif not line:
            flush()
        else:
            paragraph.append(line)
    flush()
    return blocks


def newsletter_html(newsletter: Newsletter, *, for_pdf: bool = False) -> str:
    """The newsletter as one self-contained HTML document with inline styles (what e-mail
    programs need); the PDF is drawn from the same document."""
    sections = [(section, body_blocks(section.body)) for section in newsletter.sections.order_by("position", "pk")]
    return render_to_string(
        "governance/communications/newsletter_email.html",
        {
            "newsletter": newsletter,
            "org": newsletter.organisation,
            "sections": sections,
            "intro": body_blocks(newsletter.intro),
            "for_pdf": for_pdf,
            "site_url": settings.SITE_URL.rstrip("/"),
        },
    )


def pdf_from_html(html: str) -> bytes:
    """A PDF of a self-contained document; nothing is fetched over the network or from disk."""
    from pace_hub.pdf import render_pdf

    return render_pdf(html)


def newsletter_pdf(newsletter: Newsletter) -> bytes:
    return pdf_from_html(newsletter_html(newsletter, for_pdf=True))
