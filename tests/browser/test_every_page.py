"""Every main page as each role would see it, at a laptop's and a tablet's width, on the demo.

One test on purpose: the demo is seeded once (``seed_demo``), then each role signs in once and
opens every page at 1366 and 820 px. On each: the page never scrolls sideways (only the driver
diagram scrolls, inside its own labelled region), axe finds no violations, nothing reads
"None" or "1 children", and a screenshot is written to ``.test-artifacts/pages/`` for people to
look at. The aim page's first view, with an empty cache and static files served as in production
(collected, compressed, by whitenoise), transfers under 1.5 MB. Every problem
is collected and reported together, so one run shows the whole picture.
"""

import hashlib
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.testcases import LiveServerThread
from django.test.utils import override_settings
from django.urls import resolve, reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect

from aims.models import Aim
from governance.models import Meeting, Report
from pace_hub.roles import Role, role_has
from pdsa.models import ChangeIdea, PDSACycle
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / ".test-artifacts" / "pages"
ORG = "aberdeen-city"
PASSWORD = "pace-demo-2026"
WIDTHS = (1366, 820)
FIRST_VIEW_LIMIT = 1.5 * 1024 * 1024  # bytes over the network, cache empty
ROLES = {
    "admin": "morag.reid@aberdeen.demo",
    "lead": "iain.fraser@aberdeen.demo",
    "data": "priya.shah@aberdeen.demo",
    "member": "callum.stewart@aberdeen.demo",
    "viewer": "janet.hamilton@aberdeen.demo",
    "advisor": "advisor@pace.demo",  # a lead in both councils: the chooser, then Aberdeen City
}
ROLE_OF = {"admin": Role.ADMIN, "lead": Role.LEAD, "data": Role.DATA, "member": Role.MEMBER, "viewer": Role.VIEWER}
ROLE_OF["advisor"] = Role.LEAD

# (name in the screenshots, URL name, the object its URL needs)
PAGES = [
    ("home", "org_home", None),
    ("dashboard", "governance_dashboard", None),
    ("aims", "aims", None),
    ("aim", "aim_detail", "aim"),
    ("driver-diagram", "aim_drivers", "aim"),
    ("measures", "measures", None),
    ("chart", "measure_detail", "measure"),
    ("milestone-data", "milestone_data", None),
    ("waiting", "milestone_waiting", None),
    ("completeness", "milestone_completeness", None),
    ("upload", "milestone_imports", None),
    ("board", "change_ideas", None),
    ("idea", "change_idea_detail", "idea"),
    ("cycle", "cycle_detail", "cycle"),
    ("cycles", "cycle_list", None),
    ("implementations", "implementation_list", None),
    ("listening", "listening_log", None),
    ("library", "library", None),
    ("meetings", "meetings", None),
    ("meeting", "meeting_detail", "meeting"),
    ("groups", "governance_groups", None),
    ("report", "report_detail", "report"),
    ("self-assessment", "self_assessments", None),
    ("team", "team", None),
    ("settings", "organisation_settings", None),
    ("pathway", "pathway", None),
    ("history", "history", None),
    ("resources", "resources", None),
    ("api-keys", "api_keys", None),
]

# What sticks out past the window outside any scroller of its own, and inner scrollers that
# scroll without being a labelled region (the driver diagram is one; a table is stacked instead).
OVERFLOW_SCRIPT = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (el.classList.length ? '.' + [...el.classList].slice(0, 3).join('.') : '');
  const clips = (el) => { for (let a = el.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX; if (x !== 'visible') return true; }
    return false; };
  let page = null;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.querySelectorAll('body *')].filter(
        (el) => el.getBoundingClientRect().right > width + 1 && !clips(el));
    page = {scrollWidth: document.documentElement.scrollWidth,
            culprits: wide.filter((el) => !wide.includes(el.parentElement)).slice(0, 5).map(
                (el) => name(el) + ' (right ' + Math.round(el.getBoundingClientRect().right) + ')')};
  }
  const inner = [...document.querySelectorAll('main *')].filter((el) => {
    const x = getComputedStyle(el).overflowX;
    if (!(x === 'auto' || x === 'scroll') || el.scrollWidth <= el.clientWidth + 1) return false;
    const labelled = el.getAttribute('role') === 'region'
        && (el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby'));
    return !labelled;
  }).slice(0, 5).map((el) => name(el) + ' (' + el.scrollWidth + ' in ' + el.clientWidth + ' px)');
  return page || inner.length ? {page, inner} : null;
}"""
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]*')
WORDING = [
    (re.compile(r"(?<![<\w])1 children\b"), "a count reads “1 children”"),
    (re.compile(r"(^|:\s*|\t)None$", re.MULTILINE), "something reads “None” (use “—”)"),
    (re.compile(r"\b\d{2}/\d{2}/\d{4}\b"), "a date reads dd/mm/yyyy (use “1 Dec 2026”)"),
]


@dataclass
class Problem:
    role: str
    width: int
    page: str
    what: str

    def __str__(self) -> str:
        return f"{self.role} at {self.width} px, {self.page}: {self.what}"


def _objects() -> dict[str, object]:
    aim = (
        Aim.objects.filter(organisation__slug=ORG, status="active").exclude(outcome_measure=None).order_by("pk").first()
    )
    return {
        "aim": aim.code,
        "measure": aim.outcome_measure.code,
        "idea": ChangeIdea.objects.filter(organisation__slug=ORG, title="First review diarised at placement")
        .get()
        .code,
        "cycle": PDSACycle.objects.filter(organisation__slug=ORG).order_by("pk").first().code,
        "meeting": Meeting.objects.filter(team__organisation__slug=ORG, held_at__isnull=False)
        .order_by("-starts_at")
        .first()
        .code,
        "report": Report.objects.filter(organisation__slug=ORG, issued_at__isnull=False)
        .order_by("-issued_at")
        .first()
        .code,
    }


def _urls(base: str) -> list[tuple[str, str]]:
    objects = _objects()
    return [
        (name, base + reverse(url_name, args=[ORG] + ([objects[needs]] if needs else [])))
        for name, url_name, needs in PAGES
    ]


def _sign_in(context: BrowserContext, base: str, email: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{email} could not sign in"
    return page


@contextmanager
def _served_as_in_production(tmp: Path) -> Iterator[str]:
    """A second live server that serves static files as production does: collected with the
    compressed manifest storage and answered by whitenoise (brotli/gzip, hashed names), not by
    the test server's plain static handler. Yields its address."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp, STORAGES=storages):
        call_command("collectstatic", "--noinput", "-i", "admin", "-i", "ninja", verbosity=0)
        shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        for connection in shared.values():
            connection.inc_thread_sharing()
        server = LiveServerThread("localhost", static_handler=lambda app: app, connections_override=shared)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        try:
            assert server.error is None, server.error
            yield f"http://localhost:{server.port}"
        finally:
            server.terminate()
            for connection in shared.values():
                connection.dec_thread_sharing()


def _first_view_bytes(browser: Browser, signed_in: BrowserContext, path: str, tmp: Path) -> tuple[int, list[str]]:
    """Bytes transferred (headers and encoded bodies) for the page at ``path`` with an empty cache,
    from the network log, static files served as in production."""
    with _served_as_in_production(tmp) as base:
        cold = browser.new_context(viewport={"width": 1366, "height": 900})
        cold.add_cookies(signed_in.cookies())  # the same host: the session carries over
        page = cold.new_page()
        sizes: dict[str, int] = {}

        def finished(request) -> None:
            size = request.sizes()
            sizes[request.url] = size["responseBodySize"] + size["responseHeadersSize"]

        page.on("requestfinished", finished)
        response = page.goto(base + path, wait_until="networkidle")
        assert response.status == 200 and "/accounts/login/" not in page.url
        cold.close()
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:4]
    return sum(sizes.values()), [
        f"{url.rsplit('/', 1)[-1] or 'the page'} {size / 1024:.0f} KB" for url, size in biggest
    ]


class Checker:
    """Runs the checks on the page in view, collecting problems and the time each check takes."""

    def __init__(self, report: Path) -> None:
        self.axe = Axe()
        self.problems: list[Problem] = []
        self.seconds: dict[str, float] = {}
        self.seen: set[str] = set()
        self.report = report
        report.write_text("")

    def _timed(self, what: str, started: float) -> None:
        self.seconds[what] = self.seconds.get(what, 0.0) + time.monotonic() - started

    def _new_markup(self, page: Page) -> bool:
        """axe once per distinct page: roles that see the same markup (a lead and the advisor, most
        read pages) share one run; the navigation is checked with every role's first pages."""
        markup = CSRF.sub("", page.evaluate("document.querySelector('main').outerHTML"))
        key = hashlib.sha256(markup.encode()).hexdigest()
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        with self.report.open("a") as out:  # as it goes: a long run can be read before it ends
            out.write(f"{problem}\n")

    def check(self, page: Page, role: str, width: int, name: str, *, status_ok: bool, status: int, axe: bool) -> None:
        if not status_ok:
            self.add(Problem(role, width, name, f"answered {status}, not as its permission says"))
            return
        started = time.monotonic()
        overflow = page.evaluate(OVERFLOW_SCRIPT)
        if overflow and overflow["page"]:
            wide = overflow["page"]
            self.add(Problem(role, width, name, f"scrolls sideways to {wide['scrollWidth']} px: {wide['culprits']}"))
        if overflow and overflow["inner"]:
            self.add(Problem(role, width, name, f"scrolls sideways inside {overflow['inner']}"))
        text = page.inner_text("main")
        for pattern, what in WORDING:
            found = pattern.search(text)
            if found:
                self.add(Problem(role, width, name, f"{what}: …{text[max(0, found.start() - 40) : found.end()]!r}"))
        self._timed("layout and wording", started)
        if axe and self._new_markup(page):
            started = time.monotonic()
            for violation in self.axe.run(page).response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.add(Problem(role, width, name, f"axe {violation['id']} ({violation['impact']}): {targets}"))
            self._timed("axe", started)
        started = time.monotonic()
        page.screenshot(path=ARTIFACTS / f"{role}-{width}-{name}.png", full_page=True)
        self._timed("screenshots", started)


def _expected_status(role: str, url: str) -> int:
    """200, or 403 where the role lacks the page's permission (``org_view``): the refusal page is
    then checked like any other."""
    permission = resolve(urlsplit(url).path).func.org_permission
    return 200 if role_has(ROLE_OF[role], permission) else 403


def test_every_page_as_every_role_at_laptop_and_tablet_width(browser: Browser, live_server, tmp_path: Path) -> None:
    started = time.monotonic()
    call_command("seed_demo", stdout=StringIO())
    seeded = time.monotonic()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    base = live_server.url
    urls = _urls(base)
    checker = Checker(ARTIFACTS / "problems.txt")
    # EVERY_PAGE_ROLES=viewer,member narrows a run while working on a page.
    roles = [role for role in os.environ.get("EVERY_PAGE_ROLES", ",".join(ROLES)).split(",") if role]
    first_view = None
    loading = 0.0
    for role in roles:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
        page = _sign_in(context, base, ROLES[role])
        if first_view is None:
            aim_path = urlsplit(dict(urls)["aim"]).path
            first_view = _first_view_bytes(browser, context, aim_path, tmp_path / "static")
            if first_view[0] >= FIRST_VIEW_LIMIT:
                total, biggest = first_view
                checker.add(Problem(role, 1366, "aim", f"first view transfers {total / 1024:.0f} KB: {biggest}"))
        visits = [("choose-organisation", f"{base}/")] if role == "advisor" else []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for name, url in visits + urls:
                load = time.monotonic()
                response = page.goto(url)
                loading += time.monotonic() - load
                expected = 200 if name == "choose-organisation" else _expected_status(role, url)
                # axe once per page and role: the widths change the layout, not the markup.
                checker.check(
                    page,
                    role,
                    width,
                    name,
                    status_ok=response.status == expected,
                    status=response.status,
                    axe=width == WIDTHS[0],
                )
        context.close()
    spent = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in {"loading": loading, **checker.seconds}.items())
    total, biggest = first_view
    print(
        f"\nScreenshots in {ARTIFACTS} ({len(list(ARTIFACTS.glob('*.png')))}); seeding {seeded - started:.0f} s, "
        f"pages {time.monotonic() - seeded:.0f} s ({spent}); aim page first view {total / 1024:.0f} KB "
        f"({', '.join(biggest)}); {len(checker.problems)} problems"
    )
    report = "\n".join(str(problem) for problem in checker.problems)
    assert not checker.problems, f"{len(checker.problems)} problems (also in {checker.report}):\n{report}"


def test_a_table_too_wide_for_a_tablet_is_read_row_by_row(page: Page, live_server, cast, sign_in) -> None:
    """The team table at 820 px: stacked, each cell under its heading, every Edit link on screen;
    at 1366 px it is a table again (static/js/tables.js)."""
    for role in ("lead", "data", "member"):
        MembershipFactory(organisation=cast.org, role=role, user__email=f"a.very.long.address.{role}@example.scot")
    page.set_viewport_size({"width": 820, "height": 900})
    sign_in(cast.members[Role.ADMIN].user.email)
    page.goto(f"{live_server.url}{reverse('team', args=[cast.org.slug])}")
    table = page.locator("main table").first
    assert "table-stacked" in table.get_attribute("class")
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    assert page.locator("main td[data-label='Job title']").count() == 8
    for edit in page.get_by_role("link", name=re.compile(r"^Edit")).all():
        box = edit.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 820
    assert page.get_by_role("table").count() >= 1  # still a table to screen readers
    page.set_viewport_size({"width": 1366, "height": 900})
    # expect() polls without evaluating a string in the page (the CSP refuses eval).
    expect(table).not_to_have_class(re.compile(r"\btable-stacked\b"))
