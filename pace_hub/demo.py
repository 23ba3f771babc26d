"""Demo organisations and people for `manage.py seed_demo`. Idempotent: keyed on natural names."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from pace_hub.models import Agency, Membership, Organisation, Resource, Team
from pace_hub.roles import Role

User = get_user_model()
DEMO_PASSWORD = "pace-demo-2026"

AGENCIES = [
    ("Children and Families Social Work", Agency.Kind.SOCIAL_WORK, Agency.Relationship.STRONG),
    ("Legal Services", Agency.Kind.LEGAL, Agency.Relationship.WORKING),
    ("SCRA locality office", Agency.Kind.SCRA, Agency.Relationship.WORKING),
    ("Children's Hearings Scotland area support team", Agency.Kind.CHS, Agency.Relationship.EMERGING),
    ("NHS health visiting and LAC nursing", Agency.Kind.HEALTH, Agency.Relationship.WORKING),
    ("Education — virtual school", Agency.Kind.EDUCATION, Agency.Relationship.EMERGING),
    ("Family support charity", Agency.Kind.THIRD_SECTOR, Agency.Relationship.NONE),
]

# (first, last, role, job title, agency index, QI skill). Each council has its own people: the same
# person in both would sign the shared library's items from both councils.
PEOPLE = [
    ("Morag", "Reid", Role.ADMIN, "Service Manager, Children and Families", 0, "sil"),
    ("Iain", "Fraser", Role.LEAD, "PACE Lead, Team Manager", 0, "practitioner"),
    ("Priya", "Shah", Role.DATA, "Data Lead, Performance Analyst", 0, "foundation"),
    ("Callum", "Stewart", Role.MEMBER, "Senior Social Worker", 0, "foundation"),
    ("Eilidh", "MacLeod", Role.MEMBER, "Independent Reviewing Officer", 0, "none"),
    ("Graham", "Munro", Role.MEMBER, "Solicitor", 1, "none"),
    ("Fiona", "Campbell", Role.MEMBER, "Locality Reporter", 2, "foundation"),
    ("Ross", "Paterson", Role.MEMBER, "Area Support Team Clerk", 3, "none"),
    ("Aileen", "Grant", Role.MEMBER, "LAC Nurse", 4, "foundation"),
    ("Kirsty", "Murray", Role.MEMBER, "Virtual School Head Teacher", 5, "none"),
    ("Sandy", "Robertson", Role.MEMBER, "Family Support Worker", 6, "none"),
    ("Janet", "Hamilton", Role.VIEWER, "Head of Children's Services", 0, "foundation"),
]
NAMES_BY_ORGANISATION = {
    "aberdeen-city": [(first, last) for first, last, *_ in PEOPLE],
    "renfrewshire": [
        ("Lorna", "Macdonald"),
        ("Stuart", "Wallace"),
        ("Nadia", "Hussain"),
        ("Euan", "Thomson"),
        ("Catriona", "Boyd"),
        ("Alasdair", "Ross"),
        ("Shona", "Gallacher"),
        ("Martin", "Docherty"),
        ("Heather", "Ferguson"),
        ("Louise", "McIntyre"),
        ("Gordon", "Baird"),
        ("Elaine", "Crawford"),
    ],
}

RESOURCES = [
    (
        "PACE programme overview (CELCIS)",
        Resource.Kind.GUIDANCE,
        "https://www.celcis.org/our-work/key-areas/permanence-and-care-excellence",
    ),
    ("Model for Improvement and PDSA cycles", Resource.Kind.QI_LEARNING, "https://learn.nes.nhs.scot/"),
    ("Run chart rules", Resource.Kind.QI_LEARNING, "https://www.ihi.org/resources/tools/run-chart-tool"),
    ("Participation toolbox: listening to infants and non-verbal children", Resource.Kind.PARTICIPATION, ""),
    ("Children's Hearings (Scotland) Act 2011: permanence guidance", Resource.Kind.GUIDANCE, ""),
]

ORGANISATIONS = [("Aberdeen City", "aberdeen-city", "aberdeen"), ("Renfrewshire", "renfrewshire", "renfrewshire")]


@dataclass
class DemoOrganisation:
    organisation: Organisation
    people: dict[str, Membership]  # keyed by role for the role sign-ins, and by e-mail


def _user(email: str, first: str, last: str):
    user, created = User.objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_organisation(name: str, slug: str, domain: str) -> DemoOrganisation:
    org, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": name})
    agencies = []
    for agency_name, kind, relationship in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            organisation=org,
            name=agency_name,
            defaults={"kind": kind, "relationship": relationship, "next_step": "Invite to the next leads group."},
        )
        agencies.append(agency)
    people: dict[str, Membership] = {}
    names = NAMES_BY_ORGANISATION.get(slug, NAMES_BY_ORGANISATION["aberdeen-city"])
    for (first, last), (_, _, role, title, agency_index, skill) in zip(names, PEOPLE, strict=True):
        email = f"{first}.{last}@{domain}.demo".lower()
        membership, _ = Membership.objects.get_or_create(
            user=_user(email, first, last),
            organisation=org,
            defaults={
                "role": role,
                "job_title": title,
                "agency": agencies[agency_index],
                "qi_skill": skill,
                "wants_qi_training": skill == "none",
            },
        )
        people.setdefault(role, membership)
        people[email] = membership
    if org.pace_lead_id is None or org.data_lead_id is None:
        org.pace_lead = people[Role.LEAD]
        org.data_lead = people[Role.DATA]
        org.save(update_fields=["pace_lead", "data_lead", "updated_at"])
    everyone = [m for key, m in people.items() if "@" in key]
    leads, _ = Team.objects.get_or_create(
        organisation=org,
        name="PACE leads group",
        defaults={
            "kind": Team.Kind.LEADS,
            "meeting_frequency": Team.Frequency.MONTHLY,
            "chair": people[Role.LEAD],
            "purpose": "Runs the PACE improvement work: aims, data, testing and implementation.",
        },
    )
    leads.members.add(*[m for m in everyone if m.role != Role.VIEWER])
    for aim_group, members in [
        ("Aims group: permanence recommendation within 6 months", everyone[1:6]),
        ("Aims group: panel to court", [everyone[1], everyone[5], everyone[6], everyone[7]]),
    ]:
        team, _ = Team.objects.get_or_create(
            organisation=org,
            name=aim_group,
            defaults={"kind": Team.Kind.AIMS, "meeting_frequency": Team.Frequency.FORTNIGHTLY, "chair": members[0]},
        )
        team.members.add(*members)
    data_team, _ = Team.objects.get_or_create(
        organisation=org, name="Data team", defaults={"kind": Team.Kind.DATA, "chair": people[Role.DATA]}
    )
    data_team.members.add(people[Role.DATA], everyone[3])
    board, _ = Team.objects.get_or_create(
        organisation=org,
        name="Corporate Parenting Board",
        defaults={
            "kind": Team.Kind.GOVERNANCE,
            "meeting_frequency": Team.Frequency.QUARTERLY,
            "chair": people[Role.VIEWER],
        },
    )
    # The chair sits on the board, with the service manager and the PACE Lead who reports to it.
    board.members.add(people[Role.VIEWER], people[Role.ADMIN], people[Role.LEAD])
    for title, kind, url in RESOURCES:
        Resource.objects.get_or_create(organisation=org, title=title, defaults={"kind": kind, "url": url})
    return DemoOrganisation(org, people)


def seed_shared_member(orgs: list[DemoOrganisation]) -> Membership:
    """Someone in both councils, to show the organisation switcher."""
    user = _user("advisor@pace.demo", "Alex", "Kerr")
    for demo in orgs:
        Membership.objects.get_or_create(
            user=user,
            organisation=demo.organisation,
            defaults={"role": Role.LEAD, "job_title": "PACE improvement advisor", "qi_skill": "advisor"},
        )
    return user
