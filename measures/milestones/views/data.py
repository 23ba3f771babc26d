"""Milestone data pages: the data home, children waiting and completeness.

Thin: access → form → one service call → redirect. Reads are open to every member (viewers see
counts, with 1–4 shown as "<5"); child-level rows and their CSV exports need ``child_data``.
Counts come from the kept ``PathwaySummary`` (worked out by the worker), never from child rows.
"""

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone

from measures import disclosure
from measures.milestones import derived, pathway
from measures.models import DataPoint, Measure, MilestoneImport
from pace_hub.audit import child_data_access_record
from pace_hub.exports import csv_response
from pace_hub.models import ChildDataAccess
from pace_hub.roles import Permission
from pace_hub.tenancy import org_view


def _measure_url(measure: Measure) -> str | None:
    try:
        return measure.get_absolute_url()
    except NoReverseMatch:  # the measure pages may not be installed
        return None


def _summary_counts(request: HttpRequest, today) -> tuple[list[tuple], object]:
    """Each usable timescale with its waiting count from the kept summary (None when not
    counted yet), and the summary (None when never worked out). Never reads child rows: a
    summary from an earlier day is shown "as of" that day while the worker refreshes it."""
    summary = derived.pathway_summary(request.org, today)
    timescales = derived.usable_timescales(request.org)
    return [(timescale, summary.waiting(timescale) if summary else None) for timescale in timescales], summary


def _shown(count: int | None, show_counts: bool) -> str:
    if count is None:
        return "not counted yet"
    return str(count) if show_counts else derived.suppress(count)


def _freshness(summary, today) -> dict:
    """What the page says about the age of its counts."""
    return {
        "summary": summary,
        "stale": summary is not None and summary.as_of != today,
        "as_of": summary.as_of if summary is not None else None,
    }


def _timescale_rows(request: HttpRequest, counts: list[tuple]) -> list[dict]:
    """Each usable timescale with its waiting count and latest derived values (constant queries)."""
    # Each measure's latest settled point only (a subquery per measure), not every month's.
    latest_settled = (
        DataPoint.objects.filter(measure=OuterRef("pk"), provisional=False).order_by("-period").values("pk")[:1]
    )
    measures = list(
        Measure.objects.for_organisation(request.org)
        .filter(source=Measure.Source.DERIVED, timescale__in=[timescale for timescale, _ in counts])
        .select_related("organisation")
        .annotate(latest_settled_id=Subquery(latest_settled))
    )
    ids = [measure.latest_settled_id for measure in measures if measure.latest_settled_id is not None]
    latest_points = {point.pk: point for point in DataPoint.objects.filter(pk__in=ids).order_by()}
    by_key = {(measure.timescale_id, measure.derivation): measure for measure in measures}
    show_counts = request.membership.can(Permission.CHILD_DATA)
    rows = []
    for timescale, count in counts:
        shown = _shown(count, show_counts)
        row = {
            "timescale": timescale,
            "waiting": shown,
            "waiting_noun": derived.children_noun(shown) if count is not None else "",
        }
        for derivation in (Measure.Derivation.MEDIAN_DAYS, Measure.Derivation.WITHIN_TARGET):
            measure = by_key.get((timescale.pk, derivation))
            latest = latest_points.get(measure.latest_settled_id) if measure else None
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
    # Every count comes from the kept summary: no child's dates are read to show the page.
    counts, summary = _summary_counts(request, today)
    issues = summary.completeness_issues if summary is not None else None
    context = {
        "rows": _timescale_rows(request, counts),
        "issue_count": _shown(issues, can_see_children),
        "latest_imports": list(
            # Without the problems and preview (large JSON the table does not show).
            MilestoneImport.objects.for_organisation(request.org)
            .select_related("uploaded_by")
            .defer("problems", "problem_counts", "preview")[:5]
        )
        if can_see_children
        else [],
        "today": today,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "can_see_children": can_see_children,
        **_freshness(summary, today),
    }
    return render(request, "measures/milestones/home.html", context)


WAITING_PER_PAGE = 100
COMPLETENESS_PER_PAGE = 100


def _chosen_timescale(request: HttpRequest, counts: list[tuple]):
    chosen = next((t for t, _ in counts if str(t.code) == request.GET.get("timescale")), None)
    if chosen is None:
        chosen = next((t for t, count in counts if count), counts[0][0] if counts else None)
    return chosen


@org_view()
def waiting(request: HttpRequest) -> HttpResponse:
    """Counts for every timescale (from the kept summary); for people who may see child-level
    rows, the children of one timescale (chosen with ?timescale=, the first with any by default),
    a page at a time, from the rows kept with the counts: no child's dates are read."""
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    counts, summary = _summary_counts(request, today)
    chosen = _chosen_timescale(request, counts)
    sections = []
    for timescale, count in counts:
        shown = _shown(count, can_see_children)
        sections.append(
            {
                "timescale": timescale,
                "count": shown,
                "listable": bool(count),
                "noun": derived.children_noun(shown) if count is not None else "",
                "chosen": timescale == chosen,
            }
        )
    context = {
        "sections": sections,
        "can_see_children": can_see_children,
        "today": today,
        "chosen": chosen,
        **_freshness(summary, today),
    }
    chosen_count = dict(counts).get(chosen)
    if can_see_children and chosen_count:
        # The children kept with the count by the worker, a range of positions at a time.
        paginator = Paginator(derived.WaitingPage(chosen, chosen_count, today), WAITING_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
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


@org_view(Permission.CHILD_DATA)
def waiting_export(request: HttpRequest) -> HttpResponse:
    """The whole list of children waiting past one timescale's target (?timescale=, the first
    in use by default), as CSV, for people who may see child-level rows; each download is
    recorded."""
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    timescales = derived.usable_timescales(request.org)
    asked = request.GET.get("timescale")
    chosen = next((t for t in timescales if str(t.code) == asked), None) if asked else next(iter(timescales), None)
    if chosen is None:
        raise Http404("No such timescale is in use: choose one from the waiting page.")
    children = derived.waiting_children(chosen, today)
    child_data_access_record(
        organisation=request.org,
        user=request.user,
        what=ChildDataAccess.What.WAITING,
        detail=f"{chosen}: CSV of all {len(children)}",
    )
    rows = (
        (child.reference, child.route, child.since.isoformat(), child.days_waiting, child.days_over)
        for child in children
    )
    header = ["child_ref", "route", chosen.from_milestone.code, "days_waiting", "days_over_target"]
    return csv_response(f"waiting-{chosen.from_milestone.code}-{chosen.to_milestone.code}-{today}.csv", header, rows)


@org_view()
def completeness(request: HttpRequest) -> HttpResponse:
    """Counts for everyone (1–4 shown as "<5" to viewers), and for people who may see child-level
    rows the problems a page at a time, all from the kept summary and its problem rows (worked
    out by the worker after every change to the dates, and each morning): no child's dates are
    read, so a page costs the same at any number of children."""
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    summary = derived.pathway_summary(request.org, today)
    counted = summary is not None
    context = {
        "can_see_children": can_see_children,
        "missing": _shown(summary.completeness_missing if counted else None, can_see_children),
        "order": _shown(summary.completeness_order if counted else None, can_see_children),
        "children": _shown(summary.completeness_children if counted else None, can_see_children),
        **_freshness(summary, today),
    }
    context["children_noun"] = derived.children_noun(context["children"]) if counted else ""
    if can_see_children and counted:
        problems = derived.ProblemPage(request.org, summary.completeness_issues)
        page = Paginator(problems, COMPLETENESS_PER_PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["issues"] = page.object_list
        if page.object_list:
            child_data_access_record(
                organisation=request.org,
                user=request.user,
                what=ChildDataAccess.What.COMPLETENESS,
                detail=f"page {page.number} of {page.paginator.num_pages}",
            )
    return render(request, "measures/milestones/completeness.html", context)


@org_view(Permission.CHILD_DATA)
def completeness_export(request: HttpRequest) -> HttpResponse:
    """Every completeness problem (the kept list, as of the last refresh), as CSV, for people who
    may see child-level rows; each download is recorded."""
    today = timezone.localdate()
    summary = derived.pathway_summary(request.org, today)
    count = summary.completeness_issues if summary is not None else 0
    child_data_access_record(
        organisation=request.org,
        user=request.user,
        what=ChildDataAccess.What.COMPLETENESS,
        detail=f"CSV of all {count}",
    )
    kinds = {"missing": "Missing earlier milestone", "order": "Out of order"}
    problems = derived.completeness_problems(request.org) if summary is not None else iter(())
    rows = ((issue.reference, kinds[issue.kind], issue.text) for issue in problems)
    return csv_response(f"completeness-{today}.csv", ["child_ref", "kind", "problem"], rows)
