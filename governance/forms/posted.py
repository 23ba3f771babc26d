"""Binding a form to what was sent."""

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data when the form was sent, even empty (an unticked box sends nothing), so that
    an empty submission is validated and answered, not shown again as a fresh form."""
    return request.POST if request.method == "POST" else None
