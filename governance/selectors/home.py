"""What the leads group's home page shows: my actions, my work, reviews due, the inbox and recent
testing.

A fixed number of queries whatever the size of the organisation (asserted in the tests).
"""

from dataclasses import dataclass

from django.utils import timezone

from aims.models import Aim
from aims.selectors import OPEN_STATUSES, aims_due_for_review
from governance.selectors.meetings import MyAction, my_actions
from pace_hub.models import Membership, Organisation
from pace_hub.roles import Permission
from pdsa.models import ChangeIdea, IdeaSubmission, PDSACycle

RECENT_CYCLES = 8
ACTIVE_IDEA_STATUSES = (
    ChangeIdea.Status.PROPOSED,
    ChangeIdea.Status.TESTING,
    ChangeIdea.Status.READY,
    ChangeIdea.Status.IMPLEMENTING,
)


@dataclass
class LeadsHome:
    my_aims: list[Aim]
    my_ideas: list[ChangeIdea]
    reviews_due: list[Aim]
    awaiting_triage: list[IdeaSubmission] | None  # None when the person may not triage
    recent_cycles: list[PDSACycle]
    my_actions: list[MyAction]  # open actions I own, soonest due first, overdue flagged


def leads_home(organisation: Organisation, membership: Membership) -> LeadsHome:
    today = timezone.localdate()
    my_aims = list(
        Aim.objects.for_organisation(organisation)
        .filter(lead=membership, status__in=OPEN_STATUSES)
        .select_related("organisation")
        .order_by("title")
    )
    my_ideas = list(
        ChangeIdea.objects.for_organisation(organisation)
        .filter(lead=membership, status__in=ACTIVE_IDEA_STATUSES)
        .select_related("organisation")
        .order_by("status", "title")
    )
    reviews_due = aims_due_for_review(organisation, today=today)
    awaiting = None
    if membership.can(Permission.LEAD):
        awaiting = list(
            IdeaSubmission.objects.for_organisation(organisation)
            .filter(status=IdeaSubmission.Status.NEW)
            .select_related("organisation")
            .order_by("created_at")
        )
    cycles = list(
        PDSACycle.objects.for_organisation(organisation)
        .select_related("organisation", "change_idea", "lead__user")
        .order_by("-updated_at")[:RECENT_CYCLES]
    )
    return LeadsHome(
        my_aims, my_ideas, reviews_due, awaiting, cycles, my_actions(organisation, membership, today=today)
    )
