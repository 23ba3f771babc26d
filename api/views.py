"""The organisation admin's API key pages: list, make (the key is shown once), a key's call log,
revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from api.forms import ApiKeyForm
from api.models import ApiCall, ApiKey
from api.services.keys import api_key_create as create_key
from api.services.keys import api_key_revoke as revoke_key
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

CALLS_PER_PAGE = 50


@org_view(Permission.ADMIN)
def api_keys(request: HttpRequest) -> HttpResponse:
    keys = ApiKey.objects.for_organisation(request.org).select_related("created_by", "revoked_by")
    return render(
        request,
        "api/keys.html",
        {"keys": keys, "docs_url": reverse("api_v1:openapi-view"), "api_root": request.build_absolute_uri("/api/v1/")},
    )


@org_view(Permission.ADMIN)
def api_key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, token = create_key(
                organisation=request.org,
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Shown in this answer only: it is not stored, so it cannot be shown again.
            response = render(
                request,
                "api/key_created.html",
                {"key": key, "token": token, "api_root": request.build_absolute_uri("/api/v1/")},
            )
            add_never_cache_headers(response)
            return response
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Make an API key",
            "intro": "The key is shown once, when it is made: copy it into the system that will use it.",
            "submit": "Make the key",
            "cancel": ("api_keys", request.org.slug),
        },
    )


@org_view(Permission.ADMIN)
def api_key_detail(request: HttpRequest, api_key) -> HttpResponse:
    key = get_for_org(request, ApiKey.objects.select_related("created_by", "revoked_by"), code=api_key)
    calls = Paginator(ApiCall.objects.filter(key=key).order_by("-at", "-pk"), CALLS_PER_PAGE)
    page = calls.get_page(request.GET.get("page"))
    return render(request, "api/key_detail.html", {"key": key, "calls": page})


@org_view(Permission.ADMIN)
@require_POST
def api_key_revoke(request: HttpRequest, api_key) -> HttpResponse:
    key = get_for_org(request, ApiKey, code=api_key)
    try:
        revoke_key(key=key, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The key “{key.name}” is revoked: calls with it are refused from now on.")
    return redirect("api_keys", request.org.slug)
