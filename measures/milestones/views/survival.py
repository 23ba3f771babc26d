"""Time to permanence pages (DESIGN.md §4c): every timescale's Kaplan–Meier curve, and one
timescale's cohorts compared. Open to every member; viewers see the curves cut where fewer than
5 children remain at risk, and no count of 1–4."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from measures.milestones import derived, pathway, survival
from measures.models import Timescale
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view


@org_view()
def survival_list(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    hide = not request.membership.can(Permission.CHILD_DATA)
    timescales = derived.usable_timescales(request.org)
    durations = survival.durations_by_timescale(timescales, today=today)
    results = [
        survival.timescale_survival(timescale, today=today, hide_small_counts=hide, durations=durations[timescale.pk])
        for timescale in timescales
    ]
    return render(
        request,
        "measures/milestones/survival_list.html",
        {"results": results, "today": today, "hide_small_counts": hide},
    )


@org_view()
def survival_detail(request: HttpRequest, timescale: object) -> HttpResponse:
    timescale = get_for_org(
        request, Timescale.objects.select_related("organisation", "from_milestone", "to_milestone"), code=timescale
    )
    today = timezone.localdate()
    compare = request.GET.get("compare", "")[:40]
    result = survival.timescale_survival(
        timescale,
        today=today,
        hide_small_counts=not request.membership.can(Permission.CHILD_DATA),
        compare=compare,
    )
    return render(
        request,
        "measures/milestones/survival_detail.html",
        {
            "result": result,
            "timescale": timescale,
            "splits": result.splits or survival.timescale_splits(timescale),
            "today": today,
        },
    )
