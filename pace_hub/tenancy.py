"""The one place that scopes requests to an organisation.

Every organisation page is routed under ``/o/<org>/`` and wrapped in ``org_view(permission)``:
it resolves the organisation and the signed-in user's membership, answers 404 to anyone who is
not a member (outsiders must not even learn that an object exists) and 403 to members whose
role lacks the permission. Objects are then fetched with ``get_for_org`` so a code belonging to
another organisation is a 404 too.
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from pace_hub.models import Membership
from pace_hub.roles import Permission

ModelT = TypeVar("ModelT", bound=models.Model)


def _membership_for(request: HttpRequest, org_slug: str) -> Membership:
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user=request.user, organisation__slug=org_slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def org_view(permission: str = Permission.VIEW) -> Callable:
    """Decorate a view taking ``org`` as its first URL argument.

    The view receives ``request.org`` and ``request.membership``; the permission it needs is
    kept on the view so that the URL-walking test can check every route against it.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = _membership_for(request, org)
            if not membership.can(permission):
                raise PermissionDenied(f"Your role may not {Permission(permission).label}.")
            request.membership = membership
            request.org = membership.organisation
            return view(request, *args, **kwargs)

        wrapper.org_permission = permission
        return wrapper

    return decorator


def get_for_org(request: HttpRequest, model_or_queryset: type[ModelT] | models.QuerySet, **lookup) -> ModelT:
    """Fetch one object of the request's organisation, or 404 whatever the reason."""
    queryset = model_or_queryset._default_manager.all() if isinstance(model_or_queryset, type) else model_or_queryset
    try:
        return queryset.filter(organisation=request.org).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        # A malformed code (not a UUID) is as unknown as a missing one.
        raise Http404(f"No such {queryset.model._meta.verbose_name}.") from None
