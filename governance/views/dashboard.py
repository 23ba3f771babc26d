"""The senior managers' governance dashboard: the live summary a board would read, one screen.

Read-only for everyone in the organisation; people without child-level access (viewers,
members) get small numbers of children withheld, as on every other page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from governance.selectors.dashboard import group_reports
from governance.selectors.summary import governance_summary
from pace_hub.roles import Permission
from pace_hub.tenancy import org_view

# The Making Data Count icons, in words, for the legend (measures/readings.py has the full names).
ICON_LEGEND = [
    ("common_cause", "Common cause"),
    ("special_cause_improving", "Improving"),
    ("special_cause_concerning", "Concerning"),
    ("consistently_passing", "Meets target"),
    ("consistently_failing", "Misses target"),
    ("hit_and_miss", "Hit and miss"),
]


@org_view()
@require_safe  # it reads only: there is nothing to post
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    viewer = not request.membership.can(Permission.CHILD_DATA)
    return render(
        request,
        "governance/dashboard.html",
        {
            # Waiting and completeness counts as the worker keeps them: the page reads no child rows.
            "summary": governance_summary(request.org, viewer=viewer, today=today, stored_counts=True),
            "groups": group_reports(request.org, today=today),
            "can_lead": request.membership.can(Permission.LEAD),
            "legend": ICON_LEGEND,
            # The template calls a named PACE Lead and Data Lead crucial: a board should know.
            "gaps": request.org.leadership_gaps(),
        },
    )
