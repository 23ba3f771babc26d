"""Demo testing and implementation work: ramps of PDSA cycles, feedback from every kind of voice,
an implemented change with its change package and self-audits, and items shared in the library.
Idempotent: each part is skipped when it is already there. Runs after ``pdsa.demo.ideas``."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from pace_hub.models import Resource
from pace_hub.roles import Role
from pdsa.demo import ideas as ideas_demo
from pdsa.models import ChangeIdea, Feedback, Implementation, PublishedItem
from pdsa.services import implementation as services_implementation
from pdsa.services import library as services_library
from pdsa.services import listening as services_listening
from pdsa.services import testing as services_testing
from pdsa.services.testing import PredictionInput

# Ramps: idea title → cycles of (setting, cases, teams, weeks ago it started, objective, predictions with
# results, what happened, learning, decision, next steps). Numbers and words from the template's examples.
RAMPS = {
    "Book the legal advice meeting at the first LAC review": [
        (
            "North locality",
            1,
            1,
            20,
            "Will booking the legal advice meeting at the first review shorten the wait?",
            [("Will the meeting happen within 4 weeks of the review?", "Yes, in about 3 weeks", "Yes, in 19 days")],
            "The chair booked the meeting before the review ended; the solicitor joined by phone.",
            "It works for one case; the solicitor's diary is the constraint.",
            "adapt",
            "Hold two slots a month in the solicitor's diary and test in South with 3 cases.",
        ),
        (
            "South locality",
            3,
            1,
            12,
            "Do reserved solicitor slots keep the wait under 4 weeks for 3 cases?",
            [
                ("Within 4 weeks for all 3?", "2 of 3", "3 of 3"),
                ("Do carers feel they know what happens next?", "Most will", "Yes, both carers asked said so"),
            ],
            "All three meetings held within 4 weeks; one was moved once.",
            "Reserved slots work; carers valued knowing the date at the review.",
            "another",
            "Test across the whole service with 8 cases over a month.",
        ),
        (
            "Whole service",
            8,
            4,
            4,
            "Does it hold up at scale across four teams?",
            [("Within 4 weeks for at least 7 of 8?", "7 of 8", "")],
            "Seven meetings held so far; one child's review was postponed.",
            "",
            "",
            "",
        ),
    ],
    "IRO midway check on every child's plan": [
        (
            "East locality",
            2,
            1,
            16,
            "Does a midway check by the IRO catch drift before the next review?",
            [("Will the IRO find at least one action overdue?", "Yes", "Yes, in both cases")],
            "Both checks done by phone in 20 minutes.",
            "Quick and it catches drift early.",
            "adopt",
            "Ask the leads group to decide on implementing it.",
        ),
        (
            "West locality",
            5,
            2,
            8,
            "Does it work for a second IRO and more children?",
            [("Can it be done within 30 minutes each?", "Yes", "Yes, 25 minutes on average")],
            "Five checks done; social workers welcomed the reminder.",
            "Consistent across IROs.",
            "adopt",
            "Implement for all children.",
        ),
    ],
    "First review diarised at placement": [
        (
            "North locality",
            1,
            1,
            40,
            "Can the first review date be set on the day of placement?",
            [("Will the date be set on the day?", "Yes", "Yes")],
            "The duty manager set the date with the IRO by phone.",
            "Simple; needs the IRO diary to be visible.",
            "adapt",
            "Share the IRO diary with duty managers and test with 4 placements.",
        ),
        (
            "North locality",
            4,
            2,
            34,
            "With the shared diary, is it set on the day for 4 placements?",
            [("All 4 on the day?", "3 of 4", "4 of 4")],
            "All four set on the day.",
            "The shared diary removes the delay.",
            "another",
            "Test in South and East with 10 placements.",
        ),
        (
            "South and East localities",
            10,
            4,
            28,
            "Does it hold in two more localities?",
            [("First review within 6 weeks for all 10?", "9 of 10", "10 of 10")],
            "Ten placements, all reviews within 6 weeks.",
            "Ready to implement everywhere.",
            "adopt",
            "Ask the leads group to implement it.",
        ),
    ],
    "Permanence planning checklist for social workers": [
        (
            "West locality",
            2,
            1,
            30,
            "Does the checklist prompt the permanence questions at the first review?",
            [("Will the plan name a permanence route?", "Yes", "Yes for both")],
            "Used at two reviews.",
            "Helpful, but too long.",
            "adapt",
            "Cut it to one page and test with 6 children.",
        ),
        (
            "West and North localities",
            6,
            2,
            22,
            "Is the one-page version used?",
            [("Used at 5 of 6 reviews?", "5 of 6", "6 of 6")],
            "Used at all six.",
            "Short enough to use every time.",
            "adopt",
            "Implement for all first reviews.",
        ),
    ],
    "Weekly permanence tracker e-mail": [
        (
            "North locality",
            0,
            1,
            32,
            "Will one team act on a weekly e-mail listing its children waiting past target?",
            [("Will the team manager reply with actions?", "Yes, most weeks", "2 of 4 weeks")],
            "Sent to the North team manager for four weeks.",
            "Some actions, but the list was read late in the week.",
            "adapt",
            "Send it on Monday mornings to every team manager.",
        ),
        (
            "Whole service",
            0,
            6,
            24,
            "Will a weekly e-mail of children waiting prompt action?",
            [("Will managers reply with actions?", "Most will", "2 of 9 replied")],
            "Sent for four weeks.",
            "People stopped reading it.",
            "abandon",
            "Use the data pack at the leads group instead.",
        ),
    ],
}

# Change packages: idea title → (what, why, contacts).
PACKAGES = {
    "First review diarised at placement": (
        "The duty manager sets the first LAC review date with the IRO on the day of placement, using the shared "
        "IRO diary, and records it in the child's plan.",
        "Children's first reviews were late in one in four placements; setting the date on the day means every "
        "first review happens within 6 weeks, and permanence planning starts on time.",
        "The PACE Lead; the IRO team manager",
    ),
    "Permanence planning checklist for social workers": (
        "Social workers complete the one-page permanence checklist before every first LAC review and bring it "
        "to the review.",
        "It prompts the permanence questions early, so the plan names a route at the first review.",
        "The PACE Lead; senior social workers in each locality",
    ),
}

FLOWCHART_STEPS = [
    "Child placed: duty manager opens the shared IRO diary",
    "Duty manager and IRO agree the first review date (within 6 weeks)",
    "Date recorded in the child's plan and sent to the family and carers",
    "First LAC review held; legal advice meeting booked before it ends",
]


def _flowchart_svg(steps: list[str]) -> bytes:
    """A plain SVG flowchart: one box per step, arrows between them."""
    box_h, gap, width = 56, 28, 640
    height = len(steps) * (box_h + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="15">'
    ]
    for index, step in enumerate(steps):
        y = index * (box_h + gap)
        parts.append(
            f'<rect x="20" y="{y}" width="{width - 40}" height="{box_h}" rx="8" fill="#e8eef7" stroke="#1d3f6e"/>'
            f'<text x="{width // 2}" y="{y + box_h // 2 + 5}" text-anchor="middle" fill="#111">{escape(step)}</text>'
        )
        if index < len(steps) - 1:
            x, top = width // 2, y + box_h
            parts.append(
                f'<path d="M{x} {top} V{top + gap - 6} M{x - 6} {top + gap - 12} L{x} {top + gap - 4} '
                f'L{x + 6} {top + gap - 12}" stroke="#1d3f6e" stroke-width="2" fill="none"/>'
            )
    parts.append("</svg>")
    return "".join(parts).encode()


FEEDBACK = [
    # (voice, method, how it felt, easier, too long, text, response, on the ramp's cycle number or None)
    (
        Feedback.Voice.CARER,
        "Phone call after the review",
        "Relieved to know the date",
        "yes",
        "no",
        "I knew when the legal meeting would be before I left the review. That has never happened before.",
        "We now book the meeting at every first review in South and across the service.",
        1,
    ),
    (
        Feedback.Voice.CHILD,
        "Mind of My Own app",
        "Less worried",
        "yes",
        "no",
        "I liked knowing what happens next and when.",
        "",
        2,
    ),
    (
        Feedback.Voice.PARENT,
        "Conversation with the social worker",
        "Rushed",
        "partly",
        "yes",
        "It felt quick, and I did not understand what the legal meeting was for.",
        "We wrote a one-page explanation for parents, given out at the review.",
        2,
    ),
    (
        Feedback.Voice.COLLEAGUE,
        "Team meeting",
        "",
        "yes",
        "no",
        "Booking the slot in the review saves me three or four e-mails.",
        "",
        3,
    ),
    (
        Feedback.Voice.INFANT,
        "Observation during contact (infant, 9 months)",
        "",
        "",
        "",
        "Settled quickly with the carer; calm through the contact handover.",
        "",
        None,
    ),
    (
        Feedback.Voice.PARTNER,
        "SCRA locality reporter",
        "",
        "yes",
        "",
        "Earlier legal advice means fewer continued hearings for missing reports.",
        "We shared the reporter's comments with the legal team and kept the reserved slots.",
        None,
    ),
]


def _seed_ramp(idea: ChangeIdea, ramp: list, lead, today: datetime.date) -> None:
    if idea.cycles.exists():
        return
    for setting, cases, teams, weeks_ago, objective, predictions, happened, learning, decision, nxt in ramp:
        start = today - datetime.timedelta(weeks=weeks_ago)
        end = start + datetime.timedelta(weeks=3) if learning else None
        cycle = services_testing.cycle_create(
            idea=idea,
            objective=objective,
            predictions=[PredictionInput(q, p) for q, p, _ in predictions],
            lead=lead,
            setting=setting,
            scale_cases=cases or None,
            scale_teams=teams,
            start_date=start,
            end_date=end,
            plan_who="Reviewing officer and the child's social worker",
            data_to_collect="Days from review to legal advice meeting; feedback from carers and children",
        )
        services_testing.cycle_do_update(cycle=cycle, what_happened=happened, observations="", problems="")
        if learning:
            results = {p.pk: result for p, (_, _, result) in zip(cycle.predictions.all(), predictions, strict=True)}
            services_testing.cycle_study_update(cycle=cycle, learning=learning, results=results)
        if decision:
            services_testing.cycle_act_update(cycle=cycle, decision=decision, next_steps=nxt)


def _seed_feedback(idea: ChangeIdea, people: dict, today: datetime.date) -> None:
    org = idea.organisation
    cycles = {c.number: c for c in idea.cycles.all()}
    for index, (voice, method, felt, easier, too_long, text, response, cycle_number) in enumerate(FEEDBACK):
        if Feedback.objects.filter(organisation=org, text=text).exists():
            continue
        feedback = services_listening.feedback_record(
            organisation=org,
            recorded_by=people[Role.MEMBER].user,
            voice=voice,
            received_on=today - datetime.timedelta(days=70 - 10 * index),
            text=text,
            method=method,
            how_it_felt=felt,
            easier=easier,
            too_long=too_long,
            cycle=cycles.get(cycle_number) if cycle_number else None,
            change_idea=idea if voice != Feedback.Voice.INFANT else None,
        )
        if response:
            services_listening.feedback_respond(feedback=feedback, response=response, user=people[Role.LEAD].user)


# Each implementation's own timeline (weeks before today) and records: decided, then trained and
# started, then live — never one copied from another.
IMPLEMENTATIONS = {
    "IRO midway check on every child's plan": {
        "stage": "decided",
        "decided": 4,  # at the leads group four weeks ago, whose minutes record it (governance.demo)
        "decision": "Adopted after two cycles in East and West: implement the midway check for every child.",
    },
    "Permanence planning checklist for social workers": {
        "stage": "started",
        "decided": 10,
        "decision": "The one-page checklist was used at every first review tested: use it for all first reviews.",
        "started": 6,
        "readiness": {
            "standardisation": (True, "One checklist, agreed with the senior social workers"),
            "documentation": (True, "Checklist added to the permanence practice guidance"),
            "training": (True, "Team briefings held in North and South; East and West next month"),
            "measurement": (True, "Checklists brought to first reviews, counted by the IROs"),
            "resourcing": (True, "About ten minutes a child; no extra cost"),
        },
        "training": [
            ("awareness", 9, "Senior social workers", 9, "Briefing at the senior practitioners' forum"),
            ("training", 7, "Social work teams, North and South localities", 23, ""),
        ],
    },
    "First review diarised at placement": {
        "stage": "live",
        "decided": 20,
        "decision": "Tested in three localities with consistent results and good feedback: implement for every child.",
        "started": 18,
        "live": 16,
        "readiness": {
            "standardisation": (True, "One process for all localities"),
            "documentation": (True, "Procedure updated"),
            "training": (True, "Briefings for every duty manager"),
            "measurement": (True, "First review within 6 weeks on the monthly run chart"),
            "resourcing": (True, "IRO diary shared; no extra cost"),
        },
        "training": [
            ("awareness", 19, "Duty managers and IROs", 14, "Briefing at the managers' meeting"),
            ("training", 18, "Social work teams, all localities", 46, ""),
        ],
    },
}


def _weeks_ago(today: datetime.date, weeks: int) -> datetime.date:
    return today - datetime.timedelta(weeks=weeks)


def _seed_implementation(idea: ChangeIdea, people: dict, today: datetime.date) -> Implementation:
    plan = IMPLEMENTATIONS[idea.title]
    existing = Implementation.objects.filter(change_idea=idea).first()
    if existing is not None:
        return existing
    lead, admin = people[Role.LEAD], people[Role.ADMIN]
    cycles = list(idea.cycles.all())
    implementation = services_implementation.implementation_decide(
        idea=idea,
        decided_by=lead,
        decided_on=_weeks_ago(today, plan["decided"]),
        meeting="PACE leads group",
        decision_text=plan["decision"],
        evidence_cycles=cycles,
        evidence_feedback=list(idea.feedback.all()),
        evidence_measure=idea.aims.first().outcome_measure if idea.aims.exists() else None,
        approvers=[lead, admin],
    )
    if plan["stage"] == "decided":
        return implementation
    for approval in implementation.approvals.select_related("approver__user"):
        services_implementation.approval_record(
            approval=approval, membership=approval.approver, decision="approved", comment="Agreed at the leads group."
        )
    started = _weeks_ago(today, plan["started"])
    services_implementation.package_update(
        implementation=implementation,
        guidance_what=PACKAGES[idea.title][0],
        guidance_why=PACKAGES[idea.title][1],
        contacts=PACKAGES[idea.title][2],
        resources=list(Resource.objects.for_organisation(idea.organisation).order_by("title")[:2]),
        start_date=started,
        flowchart=ContentFile(_flowchart_svg(FLOWCHART_STEPS), name="flowchart.svg"),
    )
    services_implementation.readiness_update(implementation=implementation, items=plan["readiness"])
    for kind, weeks_ago, audience, count, notes in plan["training"]:
        services_implementation.training_add(
            implementation=implementation,
            kind=kind,
            date=_weeks_ago(today, weeks_ago),
            audience=audience,
            count=count,
            notes=notes,
        )
    services_implementation.implementation_start(implementation=implementation, on=started)
    if plan["stage"] != "live":
        return implementation
    services_implementation.implementation_go_live(implementation=implementation, on=_weeks_ago(today, plan["live"]))
    for weeks_ago, result, findings in [(12, 78, "Two dates set the next day"), (8, 88, ""), (4, 95, "Embedded")]:
        services_implementation.audit_save(
            implementation=implementation,
            due_on=today - datetime.timedelta(weeks=weeks_ago, days=2),
            done_on=_weeks_ago(today, weeks_ago),
            result_percent=result,
            findings=findings,
            user=people[Role.LEAD].user,
        )
    services_implementation.audit_save(
        implementation=implementation,
        due_on=today + datetime.timedelta(weeks=4),
        done_on=None,
        result_percent=None,
        findings="",
        user=people[Role.LEAD].user,
    )
    return implementation


# What each demo council shares in the library across Scotland: different items, so the library
# does not list the same work twice.
LIBRARY_SHARES = {"aberdeen-city": ("change_package",), "renfrewshire": ("cycle_summary",)}


@transaction.atomic
def seed(demo) -> None:
    ideas_demo.seed(demo)
    org, people = demo.organisation, demo.people
    today = timezone.localdate()
    ideas = {idea.title: idea for idea in ChangeIdea.objects.for_organisation(org)}
    for title, ramp in RAMPS.items():
        idea = ideas.get(title)
        if idea is None:
            idea, _ = ChangeIdea.objects.get_or_create(
                organisation=org, title=title, defaults={"lead": people[Role.LEAD]}
            )
            ideas[title] = idea
        _seed_ramp(idea, ramp, people[Role.MEMBER], today)
    legal = ideas["Book the legal advice meeting at the first LAC review"]
    _seed_feedback(legal, people, today)
    implemented = {title: _seed_implementation(ideas[title], people, today) for title in IMPLEMENTATIONS}
    lead = people[Role.LEAD]
    shares = LIBRARY_SHARES.get(org.slug, ("change_package", "cycle_summary"))
    package = implemented["First review diarised at placement"]
    if "change_package" in shares and not PublishedItem.objects.filter(source_code=package.code).exists():
        services_library.publish(kind=PublishedItem.Kind.CHANGE_PACKAGE, source=package, membership=lead)
    studied = legal.cycles.filter(number=2).first()
    if "cycle_summary" in shares and studied and not PublishedItem.objects.filter(source_code=studied.code).exists():
        services_library.publish(kind=PublishedItem.Kind.CYCLE_SUMMARY, source=studied, membership=lead)
