"""Milestone data pages: the data home, children waiting and completeness.

Thin: access → form → one service call → redirect. Reads are open to every member (viewers see
counts, with 1–4 shown as "<5"); child-level rows need ``child_data``.
"""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone

from measures import disclosure
from measures.milestones import derived, pathway
from measures.milestones.views.imports import PROBLEMS_SHOWN
from measures.models import DataPoint, Measure, MilestoneImport
from pace_hub.roles import Permission
from pace_hub.tenancy import org_view


def _measure_url(measure: Measure) -> str | None:
    try:
        return measure.get_absolute_url()
    except NoReverseMatch:  # the measure pages may not be installed
        return None


def _timescale_rows(request: HttpRequest, today) -> list[dict]:
    """Each usable timescale with its waiting count and latest derived values (constant queries)."""
    counts = derived.waiting_counts(request.org, today)
    measures = (
        Measure.objects.for_organisation(request.org)
        .filter(source=Measure.Source.DERIVED, timescale__in=[timescale for timescale, _ in counts])
        .select_related("organisation")
        .prefetch_related(Prefetch("points", queryset=DataPoint.objects.order_by("-period")))
    )
    by_key = {(measure.timescale_id, measure.derivation): measure for measure in measures}
    show_counts = request.membership.can(Permission.CHILD_DATA)
    rows = []
    for timescale, count in counts:
        shown = str(count) if show_counts else derived.suppress(count)
        row = {"timescale": timescale, "waiting": shown, "waiting_noun": derived.children_noun(shown)}
        for derivation in (Measure.Derivation.MEDIAN_DAYS, Measure.Derivation.WITHIN_TARGET):
            measure = by_key.get((timescale.pk, derivation))
            points = list(measure.points.all()) if measure else []
            latest = next((point for point in points if not point.provisional), None)
            # Viewers get the value without cohort sizes, and nothing for a group of 1-4 children.
            hidden = not show_counts and latest is not None and disclosure.point_is_disclosive(measure, latest)
            row[derivation] = {
                "measure": measure,
                "point": latest,
                "url": measure and _measure_url(measure),
                "hidden": hidden,
                "show_counts": show_counts,
            }
        rows.append(row)
    return rows


@org_view()
def data_home(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    issues = derived.completeness_issues(request.org)
    context = {
        "rows": _timescale_rows(request, today),
        "issue_count": len(issues) if can_see_children else derived.suppress(len(issues)),
        "latest_imports": list(MilestoneImport.objects.for_organisation(request.org).select_related("uploaded_by")[:5])
        if can_see_children
        else [],
        "today": today,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "can_see_children": can_see_children,
    }
    return render(request, "measures/milestones/home.html", context)


@org_view()
def waiting(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    sections = []
    for timescale in derived.usable_timescales(request.org):
        children = derived.waiting_children(timescale, today)
        shown = len(children) if can_see_children else derived.suppress(len(children))
        sections.append(
            {
                "timescale": timescale,
                "count": shown,
                "noun": derived.children_noun(shown),
                "children": children if can_see_children else [],
            }
        )
    context = {"sections": sections, "can_see_children": can_see_children, "today": today}
    return render(request, "measures/milestones/waiting.html", context)


@org_view()
def completeness(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    issues = derived.completeness_issues(request.org)
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    missing = sum(1 for issue in issues if issue.kind == "missing")
    context = {
        "issues": issues[:PROBLEMS_SHOWN] if can_see_children else [],
        "issues_hidden": max(0, len(issues) - PROBLEMS_SHOWN) if can_see_children else 0,
        "can_see_children": can_see_children,
        "missing": missing if can_see_children else derived.suppress(missing),
        "order": len(issues) - missing if can_see_children else derived.suppress(len(issues) - missing),
        "children": len({issue.reference for issue in issues}),
    }
    if not can_see_children:
        context["children"] = derived.suppress(context["children"])
    context["children_noun"] = derived.children_noun(context["children"])
    return render(request, "measures/milestones/completeness.html", context)
