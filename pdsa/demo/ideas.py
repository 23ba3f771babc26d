"""Demo change ideas (one in every status) and ideas-inbox submissions. Idempotent: keyed on
titles and texts. Called from `pdsa.demo.seed`."""

from django.db import transaction
from django.utils import timezone

from aims.models import Driver
from pace_hub.roles import Role
from pdsa.models import ChangeIdea, IdeaSubmission

# (title, status, source, lead role, driver texts, description)
IDEAS = [
    (
        "Book the legal advice meeting at the first LAC review",
        ChangeIdea.Status.TESTING,
        ChangeIdea.Source.LEADS_GROUP,
        Role.LEAD,
        ["Legal advice meeting booked at the first review"],
        "The chair books the legal advice meeting before the first review ends, so it happens within weeks.",
    ),
    (
        "Permanence planning checklist for social workers",
        ChangeIdea.Status.IMPLEMENTING,
        ChangeIdea.Source.OTHER_AUTHORITY,
        Role.MEMBER,
        ["Permanence planning checklist used by social workers"],
        "Adapted from another authority's PACE work: one page that prompts the permanence questions.",
    ),
    (
        "IRO midway check on every child's plan",
        ChangeIdea.Status.READY,
        ChangeIdea.Source.LEADS_GROUP,
        Role.MEMBER,
        ["IRO challenges drift at every review"],
        "The independent reviewing officer checks progress halfway between reviews.",
    ),
    (
        "Talking mats with children aged 3 to 7",
        ChangeIdea.Status.PROPOSED,
        ChangeIdea.Source.FEEDBACK,
        Role.MEMBER,
        ["Participation tools used with infants and non-verbal children"],
        "Children told us reviews felt like adults talking about them.",
    ),
    (
        "First review diarised at placement",
        ChangeIdea.Status.IMPLEMENTED,
        ChangeIdea.Source.LEADS_GROUP,
        Role.LEAD,
        ["First LAC review within 6 weeks of placement"],
        "The review date is set on the day of placement.",
    ),
    (
        "ADM decision slots the week after panel",
        ChangeIdea.Status.TESTING,
        ChangeIdea.Source.LEADS_GROUP,
        Role.DATA,
        ["ADM decision slots diarised for the week after panel"],
        "",
    ),
    (
        "Joint SCRA and social work case reviews",
        ChangeIdea.Status.PARKED,
        ChangeIdea.Source.INBOX,
        None,
        ["SCRA and Children's Hearings Scotland in the leads group"],
        "Parked until the locality reporter post is filled.",
    ),
    (
        "Weekly permanence tracker e-mail",
        ChangeIdea.Status.ABANDONED,
        ChangeIdea.Source.LEADS_GROUP,
        None,
        [],
        "Abandoned after two cycles: people stopped reading it; the data pack does the job.",
    ),
]

# (what, kind, who affected, sender e-mail index, anonymous, outcome)
SUBMISSIONS = [
    ("Legal advice meetings take weeks to book", "barrier", "Social workers and children waiting", 3, False, "merged"),
    ("Could the panel papers be one shared template?", "idea", "Panel members and social workers", 4, False, "new"),
    ("Hearings are often continued because reports arrive late", "barrier", "Children on a CSO", 6, True, "new"),
    ("A newsletter for foster carers about PACE", "idea", "Foster and kinship carers", 10, False, "declined"),
]


@transaction.atomic
def seed(demo) -> None:
    org, people = demo.organisation, demo.people
    drivers = {driver.text: driver for driver in Driver.objects.for_organisation(org).select_related("aim")}
    ideas = {}
    for title, status, source, lead_role, driver_texts, description in IDEAS:
        idea, created = ChangeIdea.objects.get_or_create(
            organisation=org,
            title=title,
            defaults={
                "status": status,
                "source": source,
                "lead": people.get(lead_role) if lead_role else None,
                "description": description,
            },
        )
        ideas[title] = idea
        if created:
            linked = [drivers[text] for text in driver_texts if text in drivers]
            idea.drivers.set(linked)
            idea.aims.set({driver.aim_id for driver in linked})
    everyone = [m for key, m in people.items() if "@" in key]
    lead = people[Role.LEAD]
    for what, kind, affected, sender, anonymous, outcome in SUBMISSIONS:
        if IdeaSubmission.objects.filter(organisation=org, what=what).exists():
            continue
        submission = IdeaSubmission(
            organisation=org,
            what=what,
            kind=kind,
            who_affected=affected,
            submitted_by=everyone[sender % len(everyone)],
            anonymous=anonymous,
        )
        if outcome == "merged":
            submission.status = IdeaSubmission.Status.MERGED
            submission.change_idea = ideas["Book the legal advice meeting at the first LAC review"]
            submission.decision_reason = "Already being tested: thank you, it helped shape the first cycle."
        elif outcome == "declined":
            submission.status = IdeaSubmission.Status.DECLINED
            submission.decision_reason = "The fostering team's newsletter already covers this; we sent them your idea."
        if outcome != "new":
            submission.triaged_by, submission.triaged_at = lead, timezone.now()
        submission.save()
