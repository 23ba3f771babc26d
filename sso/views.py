"""Single sign-on pages: start (which council?), the redirect to the identity provider, its
callback, and the organisation admin's settings page."""

from __future__ import annotations

import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import org_view
from sso.forms import IdentityProviderForm, SsoStartForm
from sso.models import IdentityProvider
from sso.oidc import SIGN_IN_ERRORS, failure_reason, oidc_client
from sso.services import SignInRefused, identity_provider_save, providers_for_email, sso_user_for

logger = logging.getLogger(__name__)

NEXT_KEY = "sso_next"


def sso_start(request: HttpRequest) -> HttpResponse:
    """Ask for the e-mail address and send the person to their council's identity provider."""
    form = SsoStartForm(request.POST or None)
    providers: list[IdentityProvider] = []
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        providers = providers_for_email(email)
        next_url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
            request.session[NEXT_KEY] = next_url
        if len(providers) == 1:
            login_url = reverse("sso_login", args=[providers[0].organisation.slug])
            return redirect(f"{login_url}?{urlencode({'login_hint': email})}")
        if not providers:
            form.add_error(
                "email",
                f"No organisation in PACE Hub signs in addresses at {email.rpartition('@')[2]} with single sign-on. "
                "Sign in with your password instead.",
            )
    response = render(
        request, "sso/start.html", {"form": form, "providers": providers, "next": request.GET.get("next", "")}
    )
    # The form's answer redirects to the provider, and browsers apply CSP form-action to the
    # redirects that follow a form: allow the enabled providers' origins on this page only.
    origins = sorted({_origin(provider.issuer) for provider in IdentityProvider.objects.filter(enabled=True)})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _provider(org: str) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organisation__slug=org, enabled=True).select_related("organisation").first()


def _failed(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "sso/failed.html", {"reason": reason}, status=status)


def sso_login(request: HttpRequest, org: str) -> HttpResponse:
    provider = _provider(org)
    if provider is None:
        return _failed(request, "This organisation does not sign in with single sign-on.", status=404)
    redirect_uri = request.build_absolute_uri(reverse("sso_callback", args=[org]))
    hint = request.GET.get("login_hint", "")[:254]
    try:
        return oidc_client(provider).authorize_redirect(request, redirect_uri, **({"login_hint": hint} if hint else {}))
    except SIGN_IN_ERRORS as error:
        logger.warning("SSO for %s: the provider could not be reached: %s", org, error)
        return _failed(request, failure_reason(error), status=502)


def sso_callback(request: HttpRequest, org: str) -> HttpResponse:
    provider = _provider(org)
    if provider is None:
        return _failed(request, "This organisation does not sign in with single sign-on.", status=404)
    try:
        token = oidc_client(provider).authorize_access_token(
            request,
            leeway=settings.SSO_CLOCK_LEEWAY_SECONDS,
            claims_options={"iss": {"essential": True, "value": provider.issuer}},
        )
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no ID token")
        user = sso_user_for(provider=provider, claims=dict(claims))
    except SignInRefused as refusal:
        logger.info("SSO for %s refused: %s", org, refusal)
        return _failed(request, str(refusal))
    except SIGN_IN_ERRORS as error:
        logger.warning("SSO for %s failed: %r", org, error)
        return _failed(request, failure_reason(error))
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["last_org"] = org
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("org_home", org)


@org_view(Permission.ADMIN)
def sso_settings(request: HttpRequest) -> HttpResponse:
    provider = IdentityProvider.objects.filter(organisation=request.org).first()
    form = IdentityProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        try:
            identity_provider_save(organisation=request.org, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("sso_settings", request.org.slug)
    return render(
        request,
        "sso/settings.html",
        {
            "form": form,
            "provider": provider,
            "redirect_uri": request.build_absolute_uri(reverse("sso_callback", args=[request.org.slug])),
        },
    )
