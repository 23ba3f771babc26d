"""Headless Chromium (Debian's package) driven by Playwright, against Django's live server."""

import os
import shutil
import time

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items) -> None:
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing")
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (make browser)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # A laptop-sized window; tablet checks set their own viewport.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def sign_in(live_server, page):
    def _sign_in(email: str, password: str = "correct-horse-battery") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


# A colour half-way through a CSS transition (a button fading back after its menu closes) is not
# a state anyone reads, and axe once caught one: it checks the page once its transitions end.
# Polled with evaluate (as axe itself runs): wait_for_function evaluates a string, which the
# pages' Content-Security-Policy refuses.
TRANSITIONS_RUNNING = (
    "() => document.getAnimations().some(a => a instanceof CSSTransition && a.playState === 'running')"
)


@pytest.fixture
def assert_accessible(page):
    """axe-core: no serious or critical violations on the current page, once settled."""

    def _check() -> None:
        deadline = time.monotonic() + 5
        while page.evaluate(TRANSITIONS_RUNNING) and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        results = Axe().run(page)
        bad = [v for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
        )
        assert not bad, f"accessibility violations on {page.url}:\n{report}"

    return _check
