"""The main navigation marks the section the page belongs to, and only that one."""

import html as html_text
import re

import pytest
from django.urls import reverse

from pace_hub.roles import Role


def _active(html: str) -> list[str]:
    nav = html[html.index('id="main-nav"') : html.index("</nav>")]
    found = re.findall(r'class="nav-link active" href="[^"]*" aria-current="page">([^<]+)<', nav)
    return [html_text.unescape(label) for label in found]


@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("org_home", "Home"),
        ("aims", "Aims"),
        ("measures", "Measures & data"),
        ("team", "Team"),
        ("teams", "Team"),
        ("resources", "Team"),  # linked from the Team page, outside its URL prefix
        ("meetings", "Meetings"),
        ("governance_dashboard", "Governance"),
    ],
)
def test_the_page_marks_its_own_section(cast, name: str, section: str) -> None:
    html = cast.client(Role.ADMIN).get(reverse(name, args=[cast.org.slug])).content.decode()
    assert _active(html) == [section]


@pytest.mark.parametrize("name", ["organisation_settings", "history"])
def test_pages_outside_every_section_mark_none_not_home(cast, name: str) -> None:
    response = cast.client(Role.ADMIN).get(reverse(name, args=[cast.org.slug]))
    assert response.status_code == 200
    assert _active(response.content.decode()) == []


def test_a_viewer_lands_in_the_governance_section(cast) -> None:
    response = cast.client(Role.VIEWER).get(reverse("org_home", args=[cast.org.slug]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("governance_dashboard", args=[cast.org.slug])
    assert _active(response.content.decode()) == ["Governance"]
