"""Spread and scale: where an idea was tested or adapted, and whose voices were heard."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.spread import AffectedVoicesForm, SpreadLocalityForm
from pdsa.models import ChangeIdea, SpreadLocality, SpreadPlan
from pdsa.selectors.spread import VOICE_LABELS, spread_for_idea
from pdsa.services import spread as services


@org_view()
def spread(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    result = spread_for_idea(idea)
    return render(
        request,
        "pdsa/testing/spread.html",
        {
            "idea": idea,
            "spread": result,
            "spread_voices": [(v, VOICE_LABELS.get(v, v)) for v in result.affected_voices],
            "editable": request.membership.can(Permission.EDIT),
            "locality_form": SpreadLocalityForm(idea=idea),
            "voices_form": AffectedVoicesForm(initial={"affected_voices": result.affected_voices}),
            "hand_localities": list(SpreadLocality.objects.filter(change_idea=idea)),
        },
    )


@org_view(Permission.EDIT)
@require_POST
def spread_locality_add(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    form = SpreadLocalityForm(request.POST, idea=idea)
    if form.is_valid():
        services.spread_locality_add(idea=idea, name=form.cleaned_data["name"])
        messages.success(request, f"{form.cleaned_data['name']} added to the spread matrix.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["Enter a setting or locality."])))
    return redirect("spread", request.org.slug, idea.code)


@org_view(Permission.EDIT)
@require_POST
def spread_locality_remove(request: HttpRequest, locality) -> HttpResponse:
    locality = get_for_org(request, SpreadLocality.objects.select_related("change_idea"), code=locality)
    idea = locality.change_idea
    locality.delete()
    messages.success(request, f"{locality.name} removed from the spread matrix.")
    return redirect("spread", request.org.slug, idea.code)


@org_view(Permission.EDIT)
@require_POST
def spread_voices(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    form = AffectedVoicesForm(request.POST)
    if form.is_valid():
        SpreadPlan.objects.update_or_create(
            change_idea=idea,
            defaults={"organisation": request.org, "affected_voices": form.cleaned_data["affected_voices"]},
        )
        messages.success(request, "Saved who this change affects.")
    else:
        messages.error(request, "Choose at least one group of people this change affects.")
    return redirect("spread", request.org.slug, idea.code)
