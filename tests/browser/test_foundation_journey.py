"""Sign in, see the home page, switch organisation, invite a member — in headless Chromium."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from measures.milestones import derived
from measures.milestones.pathway import pathway_ensure_defaults
from measures.models import Measure
from pace_hub.models import Invitation, Membership
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import MembershipFactory
from tests.measures.factories import MeasureFactory, MilestoneImportFactory, monthly_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_home_switch_and_invite(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    admin = cast.members[Role.ADMIN]
    MembershipFactory(user=admin.user, organisation=cast.other_org, role=Role.VIEWER)

    sign_in(admin.user.email)
    # Two organisations: the chooser comes first, with a line about each.
    expect(page.get_by_role("heading", name="Choose an organisation")).to_be_visible()
    expect(page.locator('[data-organisation="aberdeen-city"]')).to_contain_text("Admin (Social worker)")
    expect(page.locator('[data-organisation="aberdeen-city"]')).to_contain_text("no active aims")
    expect(page.locator('[data-organisation="renfrewshire"]')).to_contain_text("Viewer")
    expect(page.locator('[data-organisation="renfrewshire"]')).to_contain_text("no meeting planned")
    assert_accessible()
    page.get_by_role("link", name="Aberdeen City").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aberdeen City PACE workspace")
    expect(page.locator("#leadership-gaps")).to_contain_text("No PACE Lead is named")
    assert_accessible()

    # Switch organisation from the navigation.
    page.get_by_role("button", name="Aberdeen City").click()
    page.get_by_role("link", name=re.compile("Renfrewshire")).click()
    # A viewer there: their home is the governance dashboard.
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance dashboard")
    expect(page.locator("#dashboard-as-of")).to_contain_text("Renfrewshire")
    expect(page.get_by_role("button", name=re.compile("Viewer"))).to_be_visible()

    # Back in Aberdeen, invite a colleague.
    page.goto(f"{live_server.url}/o/{cast.org.slug}/team/")
    assert_accessible()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email").fill("new.reporter@scra.example")
    page.get_by_label("Role").select_option("member")
    page.get_by_label("Job title").fill("Locality Reporter")
    assert_accessible()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent to new.reporter@scra.example")
    invitation = Invitation.objects.get(email="new.reporter@scra.example")
    assert invitation.organisation == cast.org and invitation.role == Role.MEMBER

    # The invitee follows the e-mailed link, chooses a password and lands in the workspace.
    link = re.search(r"http://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    page.get_by_role("button", name=re.compile(admin.user.get_full_name())).click()
    page.get_by_role("button", name="Sign out").click()
    assert link.startswith(live_server.url)
    page.goto(link)
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Reporter")
    page.locator("#id_password1").fill("a-long-unusual-passphrase")
    page.locator("#id_password2").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Join Aberdeen City").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aberdeen City PACE workspace")
    assert Membership.objects.get(user__email="new.reporter@scra.example").role == Role.MEMBER


def test_tablet_navigation_collapses(page: Page, live_server, cast, sign_in) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(cast.members[Role.MEMBER].user.email)
    toggle = page.get_by_role("button", name="Show navigation")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.get_by_role("link", name="Team")).to_be_visible()


def test_foundation_pages_pass_axe(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    from tests.factories import AgencyFactory, ResourceFactory, TeamFactory

    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible()
    page.goto(f"{live_server.url}/accounts/password_reset/")
    assert_accessible()
    TeamFactory(organisation=cast.org, name="PACE leads group", chair=cast.members[Role.LEAD])
    AgencyFactory(organisation=cast.org, name="SCRA North", relationship="working", next_step="Meet the reporter")
    ResourceFactory(organisation=cast.org, title="Run chart rules", url="https://example.org/run-charts")
    sign_in(cast.members[Role.ADMIN].user.email)
    for path in [
        "team/groups/",
        "team/groups/new/",
        "team/agencies/",
        "team/agencies/new/",
        "resources/",
        "settings/",
        "history/",
    ]:
        page.goto(f"{live_server.url}/o/{cast.org.slug}/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible()


def _fits(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_pages_by_role_at_laptop_and_tablet_widths(
    page: Page, live_server, cast, sign_in, assert_accessible
) -> None:
    org = cast.org
    pathway_ensure_defaults(org)
    outcome = MeasureFactory(organisation=org, kind=Measure.Kind.OUTCOME, unit="%", better=Measure.Better.UP)
    monthly_points(outcome, [50, 55, 60, 58, 62, 70, 66, 71])
    AimFactory(
        organisation=org,
        title="Permanence recommendations within 6 months",
        status="active",
        lead=cast.members[Role.LEAD],
        outcome_measure=outcome,
        progress_score="2.5",
    )
    MilestoneImportFactory(
        organisation=org, original_name="november.csv", status="committed", committed_at=timezone.now()
    )
    derived.pathway_summary_refresh(organisation=org, today=timezone.localdate())

    sign_in(cast.members[Role.LEAD].user.email)
    for width, height in [(1366, 860), (820, 1180)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/o/{org.slug}/")
        aims = page.locator("#home-aims")
        expect(aims.locator("svg.sparkline-svg")).to_have_count(1)
        expect(aims).to_contain_text("2.5 — changes tested, but no improvement")
        expect(page.locator("#data-status")).to_have_count(0)
        assert _fits(page), f"the lead's home scrolls sideways at {width} px"
        assert_accessible()

    page.context.clear_cookies()
    sign_in(cast.members[Role.DATA].user.email)
    for width, height in [(1366, 860), (820, 1180)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/o/{org.slug}/")
        card = page.locator("#data-status")
        expect(card.get_by_role("link", name="november.csv")).to_be_visible()
        expect(card.locator("#next-upload")).to_contain_text("Due ")
        expect(card.locator("#home-waiting [data-waiting]").first).to_be_visible()
        assert _fits(page), f"the data lead's home scrolls sideways at {width} px"
        assert_accessible()
    card.get_by_role("link", name="november.csv").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload: november.csv")
