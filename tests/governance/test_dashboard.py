"""The senior managers' dashboard: who reads it, where viewers land, what it shows, honesty for
viewers, no write actions, and a constant number of queries at 1× and 10× data."""

import datetime
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import schedule
from measures.milestones import derived
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, PathwaySummary
from pace_hub.roles import Role
from tests.governance.builders import child_dates, fill, outcome_aim
from tests.governance.factories import GovernanceGroupFactory, ReportFactory

pytestmark = pytest.mark.django_db


def _url(cast) -> str:
    return reverse("governance_dashboard", args=[cast.org.slug])


def _main(response) -> str:
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


@pytest.mark.parametrize("role", list(Role))
def test_everyone_in_the_organisation_reads_the_dashboard_and_it_has_no_write_actions(cast, role) -> None:
    fill(cast.org, 1)
    response = cast.client(role).get(_url(cast))
    assert response.status_code == 200
    main = _main(response)
    assert main.count("<h1") == 1 and "Governance dashboard" in main
    assert "<form" not in main and 'method="post"' not in main and "hx-post" not in main
    assert cast.client(role).post(_url(cast)).status_code == 405


def test_outsiders_get_404_and_anonymous_visitors_sign_in(cast) -> None:
    assert cast.client("outsider").get(_url(cast)).status_code == 404
    response = cast.client(None).get(_url(cast))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_viewer_lands_on_the_dashboard_from_the_home_page_and_on_signing_in(cast) -> None:
    viewer = cast.members[Role.VIEWER]
    home = reverse("org_home", args=[cast.org.slug])
    response = cast.client(Role.VIEWER).get(home)
    assert response.status_code == 302 and response["Location"] == _url(cast)

    client = cast.client(None)
    signed_in = client.post(
        reverse("login"), {"username": viewer.user.email, "password": "correct-horse-battery"}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == _url(cast)
    assert "Governance dashboard" in signed_in.content.decode()
    # Everyone else keeps the leads group's home.
    assert cast.client(Role.MEMBER).get(home).status_code == 200


def test_the_navigation_has_governance_and_meetings_and_a_viewer_no_second_home(cast) -> None:
    member = cast.client(Role.MEMBER).get(_url(cast)).content.decode()
    nav = member[member.index('id="main-nav"') : member.index("</nav>")]
    assert re.search(r'aria-current="page">Governance<', nav)
    assert ">Home<" in nav and ">Meetings<" in nav
    viewer = cast.client(Role.VIEWER).get(_url(cast)).content.decode()
    viewer_nav = viewer[viewer.index('id="main-nav"') : viewer.index("</nav>")]
    assert ">Home<" not in viewer_nav and ">Governance<" in viewer_nav


def test_the_dashboard_shows_aims_timescales_activity_freshness_and_reports(cast) -> None:
    aim = outcome_aim(cast.org, "Permanence recommendation within 6 months")
    outcome_aim(cast.other_org, "Another council's aim")
    fill(cast.org, 1)
    main = _main(cast.client(Role.LEAD).get(_url(cast)))

    assert aim.statement in main and "78.9%" in main and "90% by Mar 2027" in main
    assert 'role="img"' in main and "<polyline" in main  # the sparkline, drawn on the server
    assert 'alt="Special cause: improving"' in main and 'alt="Consistently misses the target"' in main
    assert "3.5" in main and "Improvement" in main
    assert "Another council" not in main
    assert "Looked after to permanence recommendation" in main and "Target: within 183 days" in main
    assert 'id="testing-figures"' in main and 'id="implementation-figures"' in main
    assert 'id="listening-figures"' in main and 'id="freshness-figures"' in main
    assert "Board 0" in main and "Next due" in main and "data-latest-report" in main


def test_viewers_see_small_counts_as_suppressed_never_as_zero(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    child_dates(org, "C-1", looked_after=200)
    child_dates(org, "C-2", looked_after=300)
    derived.derived_measures_recompute(organisation=org, today=timezone.localdate())

    def tile(role) -> str:
        main = _main(cast.client(role).get(_url(cast)))
        start = main.index("Looked after to permanence recommendation")
        return main[start : main.index("</li>", start)]

    lead, viewer = tile(Role.LEAD), tile(Role.VIEWER)
    assert re.search(r'data-figure="waiting"><span class="figure-value figure-waiting">2</span> children', lead)
    assert re.search(r'data-figure="waiting"><span class="figure-value figure-waiting">&lt;5</span> children', viewer)
    assert ">0<" not in viewer and ">2<" not in viewer
    assert "fewer than 5 children" in _main(cast.client(Role.VIEWER).get(_url(cast)))
    # A member has no child-level access either: the same rule.
    assert "&lt;5" in tile(Role.MEMBER)


def test_an_overdue_report_and_the_next_due_are_shown(cast) -> None:
    today = timezone.localdate()
    group = GovernanceGroupFactory(organisation=cast.org, name="Corporate Parenting Board")
    group.created_at = timezone.now() - datetime.timedelta(days=800)
    group.save(update_fields=["created_at"])
    owed = schedule.next_due(group, today=today)
    missed = schedule.due_report(schedule.previous_period(owed.period, group.cadence), group)
    main = _main(cast.client(Role.VIEWER).get(_url(cast)))
    assert "Corporate Parenting Board" in main and "No report issued yet" in main
    assert f"Next due <strong>{owed.due_on:%-d %b %Y}</strong>" in main
    assert f"the {missed.period.label} report was due {missed.due_on:%-d %b %Y} and has not been issued" in main
    assert f"reporter {group.reporter}" in main
    # A brand-new group owes nothing for periods before it existed.
    GovernanceGroupFactory(organisation=cast.org, name="Chief Officers' Group")
    main = _main(cast.client(Role.VIEWER).get(_url(cast)))
    assert main.count("data-overdue") == 1


def test_the_latest_issued_report_of_each_group_is_linked(cast) -> None:
    group = GovernanceGroupFactory(organisation=cast.org, name="Corporate Parenting Board")
    older = ReportFactory(
        organisation=cast.org,
        group=group,
        title="October to December 2025",
        period_start=datetime.date(2025, 10, 1),
        period_end=datetime.date(2025, 12, 31),
        issued_at=timezone.now() - datetime.timedelta(days=90),
    )
    latest = ReportFactory(
        organisation=cast.org,
        group=group,
        title="January to March 2026",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31),
        issued_at=timezone.now(),
    )
    ReportFactory(  # built, not issued: not the latest issued
        organisation=cast.org,
        group=group,
        title="April to June 2026 draft",
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 6, 30),
    )
    main = _main(cast.client(Role.VIEWER).get(_url(cast)))
    assert (
        f'href="{latest.get_absolute_url()}" aria-label="Corporate Parenting Board report for Jan to Mar 2026" '
        "data-latest-report>Jan to Mar 2026</a>"
    ) in main
    assert older.get_absolute_url() not in main


def test_the_dashboard_runs_a_constant_number_of_queries_at_1x_and_10x_data(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.VIEWER)
    fill(cast.org, 1)
    derived.pathway_summary_refresh(organisation=cast.org)  # as the worker does after each commit
    client.get(_url(cast))  # warm the session
    cache.clear()  # both counted cold: no chart result kept from an earlier request
    with django_assert_num_queries(18) as first:
        client.get(_url(cast))
    fill(cast.org, 9, tag="more-")
    derived.pathway_summary_refresh(organisation=cast.org)
    cache.clear()
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(_url(cast))
    main = _main(response)
    assert "Aim more-8" in main and "Board more-8" in main


def _waiting_tile(cast, role) -> str:
    main = _main(cast.client(role).get(_url(cast)))
    start = main.index("Looked after to permanence recommendation")
    return main[start : main.index("</li>", start)]


def test_waiting_and_completeness_come_from_the_kept_counts_and_no_child_row_is_read(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    for reference in ("C-1", "C-2", "C-3", "C-4", "C-5", "C-6"):
        child_dates(org, reference, looked_after=200)
    child_dates(org, "C-9", permanence_rec=10)  # no "looked after" date: a completeness problem
    derived.pathway_summary_refresh(organisation=org, today=timezone.localdate())
    # A child added since the worker counted: the page shows the kept counts, not a live count.
    child_dates(org, "C-7", looked_after=300)
    client = cast.client(Role.LEAD)
    client.get(_url(cast))  # warm the session

    with CaptureQueriesContext(connection) as queries:
        main = _main(client.get(_url(cast)))

    child_table = Child._meta.db_table
    assert not [query["sql"] for query in queries.captured_queries if f'"{child_table}"' in query["sql"]]
    assert re.search(r'data-figure="waiting"><span class="figure-value figure-waiting">6</span> children', main)
    assert re.search(r"Completeness problems</dt><dd><a [^>]+>1</a>", main)
    # Viewers' counts come from the same kept counts, withheld the same way.
    assert "&lt;5" in _main(cast.client(Role.VIEWER).get(_url(cast)))


def test_counts_from_an_earlier_day_say_so_and_counts_not_made_yet_are_being_counted(cast) -> None:
    org = cast.org
    pathway_create_defaults(organisation=org)
    for reference in ("C-1", "C-2"):
        child_dates(org, reference, looked_after=200)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    derived.pathway_summary_refresh(organisation=org, today=yesterday)
    with mock.patch("measures.milestones.derived.enqueue") as enqueue:
        lead = _waiting_tile(cast, Role.LEAD)
    assert f"past target on {yesterday:%-d %b %Y}" in lead and ">2</span> children" in lead
    # The worker is asked for today's counts (once a day), and the page does not count them itself.
    enqueue.assert_called_once_with(derived.REFRESH_TASK, org.pk)

    PathwaySummary.objects.filter(organisation=org).delete()
    with mock.patch("measures.milestones.derived.enqueue"):
        main = _main(cast.client(Role.VIEWER).get(_url(cast)))
    tile = main[main.index("Looked after to permanence recommendation") :]
    assert "Children waiting: being counted" in tile[: tile.index("</li>")]
    assert re.search(r"Completeness problems</dt><dd><a [^>]+>Being counted</a>", main)
