"""The Testing section's index pages: every PDSA cycle (filtered by status, lead and locality,
paginated) and every implementation (filtered by stage). Read by every role."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pace_hub.roles import Permission
from pace_hub.tenancy import org_view
from pdsa.forms.testing import CycleFilterForm
from pdsa.selectors.indexes import (
    STAGES,
    STAGES_BY_VALUE,
    cycle_localities,
    cycles_for_index,
    implementation_stage_counts,
    implementations_for_index,
)

CYCLES_PER_PAGE = 25


@org_view()
def cycle_list(request: HttpRequest) -> HttpResponse:
    filters = CycleFilterForm(request.GET or None, organisation=request.org, localities=cycle_localities(request.org))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    cycles = cycles_for_index(
        request.org,
        status=chosen.get("status", ""),
        lead=chosen.get("lead"),
        locality=chosen.get("locality", ""),
    )
    page = Paginator(cycles, CYCLES_PER_PAGE).get_page(request.GET.get("page"))
    kept = {name: request.GET[name] for name in ("status", "lead", "locality") if chosen.get(name)}
    return render(
        request,
        "pdsa/testing/cycle_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": bool(kept),
            "extra": urlencode(kept) + "&" if kept else "",
            "can_edit": request.membership.can(Permission.EDIT),
        },
    )


@org_view()
def implementation_list(request: HttpRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    if stage not in STAGES_BY_VALUE:
        stage = ""
    counts = implementation_stage_counts(request.org)
    return render(
        request,
        "pdsa/implementation/implementation_list.html",
        {
            "implementations": implementations_for_index(request.org, stage=stage),
            "stage": STAGES_BY_VALUE.get(stage),
            "stages": [(s, counts[s.value]) for s in STAGES],
            "total": sum(counts.values()),
        },
    )
