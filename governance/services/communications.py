"""Writes for the communications log: what was shared, with whom, when and where. Keyword-only,
typed, atomic."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from governance.models import Communication, Newsletter
from pace_hub.models import Organisation

MAX_LINKS = 10
_url = URLValidator(schemes=["http", "https"])


def _clean_links(links: str) -> str:
    """One address a line: web addresses, or pages of PACE Hub ("/o/…")."""
    lines = [line.strip() for line in links.splitlines() if line.strip()]
    if len(lines) > MAX_LINKS:
        raise ValidationError({"links": f"Give at most {MAX_LINKS} links ({len(lines)} given)."})
    bad = []
    for line in lines:
        # A page of PACE Hub; "//host" would be another site.
        if line.startswith("/") and not line.startswith("//"):
            continue
        try:
            _url(line)
        except ValidationError:
            bad.append(line)
    if bad:
        raise ValidationError(
            {"links": f"Not a web address: {', '.join(bad)}. Give one address a line, starting https:// or /o/."}
        )
    return "\n".join(dict.fromkeys(lines))


def _check(
    organisation: Organisation,
    *,
    date: datetime.date,
    channel: str,
    audience: str,
    summary: str,
    newsletter: Newsletter | None,
) -> dict[str, str]:
    errors = {}
    if channel not in Communication.Channel.values:
        errors["channel"] = "Choose one of the channels listed."
    if date > timezone.localdate():
        errors["date"] = "Log what has been shared: the date cannot be in the future."
    if not audience.strip():
        errors["audience"] = "Say who it reached."
    if not summary.strip():
        errors["summary"] = "Say what was shared."
    if newsletter is not None and newsletter.organisation_id != organisation.pk:
        errors["newsletter"] = f"Choose one of {organisation}'s own newsletters."
    return errors


@transaction.atomic
def communication_log(
    *,
    organisation: Organisation,
    recorded_by,
    date: datetime.date,
    channel: str,
    audience: str,
    summary: str,
    links: str = "",
    newsletter: Newsletter | None = None,
) -> Communication:
    errors = _check(organisation, date=date, channel=channel, audience=audience, summary=summary, newsletter=newsletter)
    try:
        links = _clean_links(links)
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return Communication.objects.create(
        organisation=organisation,
        recorded_by=recorded_by,
        date=date,
        channel=channel,
        audience=audience.strip(),
        summary=summary.strip(),
        links=links,
        newsletter=newsletter,
    )


@transaction.atomic
def communication_update(
    *,
    communication: Communication,
    date: datetime.date,
    channel: str,
    audience: str,
    summary: str,
    links: str = "",
    newsletter: Newsletter | None = None,
) -> Communication:
    errors = _check(
        communication.organisation,
        date=date,
        channel=channel,
        audience=audience,
        summary=summary,
        newsletter=newsletter,
    )
    try:
        links = _clean_links(links)
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    communication.date, communication.channel = date, channel
    communication.audience, communication.summary, communication.links = audience.strip(), summary.strip(), links
    communication.newsletter = newsletter
    communication.save()
    return communication


@transaction.atomic
def communication_delete(*, communication: Communication) -> None:
    communication.delete()
