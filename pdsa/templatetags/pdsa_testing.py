"""``{% idea_testing_panel idea %}``: the testing panel on the change idea's page."""

from django import template

from pdsa.selectors.testing import idea_testing_context

register = template.Library()


@register.inclusion_tag("pdsa/testing/panel.html", takes_context=True)
def idea_testing_panel(context: template.Context, idea) -> dict:
    return {
        **idea_testing_context(idea, context.get("membership")),
        "org": context.get("org"),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "heading_level": context.get("testing_heading_level", 2),
    }


@register.simple_tag(takes_context=True)
def idea_url(context: template.Context, idea) -> str:
    """The change idea's own page, or its testing page while the idea pages are not installed."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("change_idea_detail", args=[idea.organisation.slug, idea.code])
    except NoReverseMatch:
        return reverse("idea_testing", args=[idea.organisation.slug, idea.code])


@register.filter
def voice_plural(voice: str) -> str:
    from pdsa.selectors.spread import VOICE_PLURALS

    return VOICE_PLURALS.get(voice, voice)


@register.filter
def has_voice(row, voice: str) -> bool:
    return row.voice_present(voice)


# The Testing section's pages, in the order of its navigation: (key, label, URL name, permission).
TESTING_PAGES = [
    ("ideas", "Change ideas", "change_ideas", None),
    ("cycles", "PDSA cycles", "cycle_list", None),
    ("implementations", "Implementations", "implementation_list", None),
    ("listening", "Listening log", "listening_log", None),
    ("library", "Shared library", "library", None),
    ("inbox", "Ideas inbox", "inbox", "lead"),
]


@register.inclusion_tag("pdsa/includes/testing_nav.html", takes_context=True)
def testing_nav(context: template.Context, current: str, awaiting_triage: int = 0) -> dict:
    """The Testing section's own navigation, shown at the top of its index pages."""
    from django.urls import reverse

    org, membership = context.get("org"), context.get("membership")
    links = [
        (key, label, reverse(name, args=[org.slug]))
        for key, label, name, permission in TESTING_PAGES
        if permission is None or (membership is not None and membership.can(permission))
    ]
    return {"links": links, "current": current, "awaiting_triage": awaiting_triage}
