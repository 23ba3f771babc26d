"""What the change idea's testing panel shows: the ramp of cycles, feedback, spread, readiness
and implementation status. A fixed number of queries whatever the number of cycles."""

from django.db.models import Count, Prefetch, Q

from pace_hub.models import Membership
from pace_hub.roles import Permission
from pdsa.models import Approval, ChangeIdea, Feedback, Implementation, PDSACycle, PublishedItem
from pdsa.selectors.spread import VOICE_LABELS, answer_summary, ramp_steps, spread_for_idea

RAMP_WIDTH, RAMP_HEIGHT = 560, 180
PANEL_FEEDBACK = 3  # the latest few; the listening log, filtered to the idea, has them all


def idea_testing_context(idea: ChangeIdea, membership: Membership | None) -> dict:
    cycles = list(
        PDSACycle.objects.filter(change_idea=idea)
        .annotate(prediction_count=Count("predictions", distinct=True))
        .select_related("lead__user", "organisation")
        .order_by("number")
    )
    feedback = list(
        Feedback.objects.filter(change_idea=idea).select_related("cycle__organisation").order_by("-received_on", "-pk")
    )
    answered = sum(1 for f in feedback if f.response)
    implementation = (
        Implementation.objects.filter(change_idea=idea)
        .prefetch_related(Prefetch("approvals", queryset=Approval.objects.select_related("approver__user")))
        .first()
    )
    published = set(
        PublishedItem.objects.filter(organisation=idea.organisation)
        .filter(Q(source_idea_code=idea.code))
        .values_list("source_code", flat=True)
    )
    spread = spread_for_idea(idea)
    return {
        "idea": idea,
        "cycles": cycles,
        "ramp": ramp_steps(cycles, width=RAMP_WIDTH, height=RAMP_HEIGHT),
        "ramp_width": RAMP_WIDTH,
        "ramp_height": RAMP_HEIGHT,
        "ramp_top": max((c.scale_cases or 0 for c in cycles), default=0),
        "idea_feedback": feedback[:PANEL_FEEDBACK],
        "idea_feedback_total": len(feedback),
        "feedback_answers": answer_summary([(f.easier, f.too_long) for f in feedback]),
        "feedback_answered": answered,
        "feedback_answered_percent": round(100 * answered / len(feedback)) if feedback else None,
        "spread": spread,
        "spread_voices": [(v, VOICE_LABELS.get(v, v)) for v in spread.affected_voices],
        "implementation": implementation,
        "published_codes": published,
        "can_edit": bool(membership and membership.can(Permission.EDIT)),
        "can_lead": bool(membership and membership.can(Permission.LEAD)),
    }
