"""The library shared across Scotland. Listing it is the one deliberate cross-tenant read:
published snapshots of every organisation, never their live rows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.models import Implementation, PDSACycle, PublishedItem
from pdsa.services import library as services


@org_view()
def library(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    kind = request.GET.get("kind", "")
    items = PublishedItem.objects.search(query)
    if kind in PublishedItem.Kind.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(items.order_by("-published_at", "pk"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "pdsa/library/library.html",
        {
            "page": page,
            "query": query,
            "kind": kind,
            "kinds": PublishedItem.Kind.choices,
            "can_edit": request.membership.can(Permission.EDIT),
            "can_lead": request.membership.can(Permission.LEAD),
        },
    )


def _published_item(code: str) -> PublishedItem:
    try:
        return PublishedItem.objects.get(code=code)
    except (PublishedItem.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such published item.") from None


@org_view(Permission.EDIT)
@require_POST
def library_copy(request: HttpRequest) -> HttpResponse:
    item = _published_item(request.POST.get("item", ""))
    try:
        idea = services.copy_to_organisation(item=item, organisation=request.org, membership=request.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("library", request.org.slug)
    messages.success(request, f"Copied into {request.org.name} as a change idea from another authority.")
    return redirect(idea)


@org_view(Permission.LEAD)
@require_POST
def library_withdraw(request: HttpRequest) -> HttpResponse:
    item = get_for_org(request, PublishedItem, code=request.POST.get("item", ""))
    services.withdraw(item=item, membership=request.membership)
    messages.success(request, f"\u201c{item.title}\u201d is no longer in the library.")
    return redirect("library", request.org.slug)


def _publish_page(request: HttpRequest, kind: str, source, snapshot: dict, back: str) -> HttpResponse:
    if request.method == "POST":
        try:
            services.publish(kind=kind, source=source, membership=request.membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(request, "Published to the library: every PACE authority can now read it.")
        return redirect("library", request.org.slug)
    already = PublishedItem.objects.filter(organisation=request.org, source_code=source.code).first()
    return render(
        request,
        "pdsa/library/publish.html",
        {
            "snapshot": snapshot,
            "kind_label": PublishedItem.Kind(kind).label,
            "back": back,
            "already": already,
            "findings": services.publication_findings(kind, source),
        },
    )


@org_view(Permission.LEAD)
def publish_package(request: HttpRequest, implementation) -> HttpResponse:
    implementation = get_for_org(request, Implementation.objects.select_related("change_idea"), code=implementation)
    return _publish_page(
        request,
        PublishedItem.Kind.CHANGE_PACKAGE,
        implementation,
        services.change_package_snapshot(implementation),
        implementation.get_absolute_url(),
    )


@org_view(Permission.LEAD)
def publish_cycle(request: HttpRequest, cycle) -> HttpResponse:
    cycle = get_for_org(request, PDSACycle.objects.select_related("change_idea"), code=cycle)
    return _publish_page(
        request,
        PublishedItem.Kind.CYCLE_SUMMARY,
        cycle,
        services.cycle_summary_snapshot(cycle),
        cycle.get_absolute_url(),
    )
