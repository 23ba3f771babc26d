"""Milestone data pages: the data home, children waiting and completeness.

Thin: access → form → one service call → redirect. Reads are open to every member (viewers see
counts, with 1–4 shown as "<5"); child-level rows need ``child_data``.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone

from measures import disclosure
from measures.milestones import derived, pathway
from measures.milestones.views.imports import PROBLEMS_SHOWN
from measures.models import DataPoint, Measure, MilestoneImport
from pace_hub.audit import child_data_access_record
from pace_hub.models import ChildDataAccess
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
            hidden = measure is not None and disclosure.withheld(measure, latest, hide_small_counts=not show_counts)
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
    # Kept by every recompute: no child's dates are read to show the count.
    issues = derived.pathway_summary(request.org).completeness_issues
    context = {
        "rows": _timescale_rows(request, today),
        "issue_count": issues if can_see_children else derived.suppress(issues),
        "latest_imports": list(MilestoneImport.objects.for_organisation(request.org).select_related("uploaded_by")[:5])
        if can_see_children
        else [],
        "today": today,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "can_see_children": can_see_children,
    }
    return render(request, "measures/milestones/home.html", context)


WAITING_PER_PAGE = 100


@org_view()
def waiting(request: HttpRequest) -> HttpResponse:
    """Counts for every timescale; for people who may see child-level rows, the children of one
    timescale (chosen with ?timescale=, the first by default), a page at a time."""
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    counts = derived.waiting_counts(request.org, today)
    chosen = next((t for t, _ in counts if str(t.code) == request.GET.get("timescale")), None)
    if chosen is None:
        chosen = next((t for t, count in counts if count), counts[0][0] if counts else None)
    sections = []
    for timescale, count in counts:
        shown = count if can_see_children else derived.suppress(count)
        sections.append(
            {
                "timescale": timescale,
                "count": shown,
                "noun": derived.children_noun(shown),
                "chosen": timescale == chosen,
            }
        )
    context = {"sections": sections, "can_see_children": can_see_children, "today": today, "chosen": chosen}
    if can_see_children and chosen is not None:
        chosen_count = next(count for timescale, count in counts if timescale == chosen)
        paginator = Paginator(derived.waiting_rows(chosen, today), WAITING_PER_PAGE)
        paginator.count = chosen_count  # already counted above: spare the query
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = derived.waiting_children_from(page.object_list, chosen, today)
        context["page"] = page
        context["page_query"] = f"timescale={chosen.code}&"
        if page.object_list:
            child_data_access_record(
                organisation=request.org,
                user=request.user,
                what=ChildDataAccess.What.WAITING,
                detail=f"{chosen}: page {page.number} of {paginator.num_pages}",
            )
    return render(request, "measures/milestones/waiting.html", context)


@org_view()
def completeness(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    if not can_see_children:
        # Counts only, from what the last recompute kept: no child's dates are read.
        summary = derived.pathway_summary(request.org)
        context = {
            "issues": [],
            "issues_hidden": 0,
            "can_see_children": False,
            "missing": derived.suppress(summary.completeness_missing),
            "order": derived.suppress(summary.completeness_order),
            "children": derived.suppress(summary.completeness_children),
        }
        context["children_noun"] = derived.children_noun(context["children"])
        return render(request, "measures/milestones/completeness.html", context)
    issues = derived.completeness_issues(request.org)
    missing = sum(1 for issue in issues if issue.kind == "missing")
    context = {
        "issues": issues[:PROBLEMS_SHOWN],
        "issues_hidden": max(0, len(issues) - PROBLEMS_SHOWN),
        "can_see_children": True,
        "missing": missing,
        "order": len(issues) - missing,
        "children": len({issue.reference for issue in issues}),
    }
    context["children_noun"] = derived.children_noun(context["children"])
    if issues:
        child_data_access_record(
            organisation=request.org, user=request.user, what=ChildDataAccess.What.COMPLETENESS, detail=""
        )
    return render(request, "measures/milestones/completeness.html", context)
