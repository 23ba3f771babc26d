"""Benchmarking across Scotland (DESIGN.md §4d): the national funnel plots, open to every member
of an organisation that shares its aggregates, and the admin's choice to share.

The cross-organisation read happens in measures.milestones.benchmark.national_view only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from measures.forms import BenchmarkSharingForm
from measures.milestones import benchmark
from pace_hub.roles import Permission
from pace_hub.tenancy import org_view


@org_view()
def national(request: HttpRequest) -> HttpResponse:
    choice = benchmark.sharing_for(request.org)
    context = {"choice": choice, "can_admin": request.membership.can(Permission.ADMIN), "view": None}
    if choice.sharing:
        context["view"] = benchmark.national_view(
            request.org,
            timescale_key=request.GET.get("timescale", "")[:100],
            period=request.GET.get("year", "")[:9],
            overdispersion=request.GET.get("overdispersion") == "on",
        )
    return render(request, "measures/milestones/benchmark.html", context)


@org_view(Permission.ADMIN)
def sharing(request: HttpRequest) -> HttpResponse:
    choice = benchmark.sharing_for(request.org)
    form = BenchmarkSharingForm(request.POST or None, initial={"sharing": choice.sharing, "named": choice.named})
    if request.method == "POST" and form.is_valid():
        choice = benchmark.benchmark_sharing_update(
            organisation=request.org,
            sharing=form.cleaned_data["sharing"],
            named=form.cleaned_data["named"],
            user=request.user,
        )
        if choice.sharing:
            messages.success(request, "Sharing is on: our aggregates are being published to the national table.")
        else:
            messages.success(request, "Sharing is off: our aggregates have been removed from the national table.")
        return redirect("benchmark", request.org.slug)
    return render(request, "measures/milestones/benchmark_sharing.html", {"form": form, "choice": choice})


@org_view(Permission.ADMIN)
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    if benchmark.benchmark_publish_request(organisation=request.org):
        messages.success(request, "Publishing our latest aggregates to the national table.")
    else:
        messages.error(request, "We do not share our aggregates: opt in first.")
    return redirect("benchmark", request.org.slug)
