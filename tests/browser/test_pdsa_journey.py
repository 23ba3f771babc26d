"""Testing and implementation in headless Chromium: a member plans a PDSA cycle with predictions,
records what happened and feedback from a carer and a child, studies it against the predictions,
decides to adapt and runs a second cycle in another locality; the lead takes the idea through the
decision, approvals and a change package to implementation, and the cycles show on the aim's
chart. A viewer reads it all and can change nothing."""

import datetime
import io
import json
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from measures.models import Annotation, DataPoint
from pace_hub.roles import Role
from pdsa.models import ChangeIdea, Feedback, Implementation, PDSACycle, PublishedItem
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _switch_user(page: Page, sign_in, email: str) -> None:
    page.context.clear_cookies()
    sign_in(email)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _record_feedback(page: Page, voice: str, text: str, easier: str) -> None:
    page.get_by_role("link", name="Record feedback").click()
    expect(page.get_by_text("No names of children.")).to_be_visible()
    page.get_by_label("Whose voice").select_option(voice)
    page.get_by_label("Participation method").fill("Conversation after the review")
    page.get_by_label("Date given").fill(timezone.localdate().isoformat())
    page.locator("#div_id_easier").get_by_label(easier, exact=True).check()
    page.get_by_label("What they said or what we observed").fill(text)
    page.get_by_role("button", name="Save feedback").click()


def test_pdsa_cycles_to_implementation_on_the_chart(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    lead, member, viewer, admin = (cast.members[r] for r in (Role.LEAD, Role.MEMBER, Role.VIEWER, Role.ADMIN))
    today = timezone.localdate()
    measure = AimMeasureFactory(organisation=cast.org, title="% with legal advice within 4 weeks", better="up")
    for months_ago, value in enumerate([40, 42, 38, 45, 44, 41, 50, 58, 62, 66][::-1]):
        period = (today.replace(day=1) - datetime.timedelta(days=30 * months_ago)).replace(day=1)
        DataPoint.objects.get_or_create(
            organisation=cast.org, measure=measure, period=period, defaults={"value": value}
        )
    aim = AimFactory(organisation=cast.org, title="Legal advice sooner", outcome_measure=measure)
    idea = ChangeIdeaFactory(
        organisation=cast.org, title="Book legal advice at the first review", status=ChangeIdea.Status.PROPOSED
    )
    idea.aims.add(aim)
    start_1, end_1 = today - datetime.timedelta(days=60), today - datetime.timedelta(days=40)
    start_2 = today - datetime.timedelta(days=30)

    # --- A member plans the first cycle with predictions -------------------------------------
    sign_in(member.user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/")
    page.get_by_role("link", name="Plan a PDSA cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan PDSA cycle 1: {idea.title}")
    # Whoever plans the cycle leads it unless they name someone else.
    expect(page.get_by_label("Who leads this cycle")).to_have_value(str(member.pk))
    page.get_by_label("Objective of this cycle").fill("Will booking legal advice at the review shorten the wait?")
    page.get_by_label("Question 1").fill("Will the meeting happen within 4 weeks?")
    page.get_by_label("Prediction 1").fill("Yes, in about 3 weeks")
    page.get_by_label("Question 2").fill("Will the carer know what happens next?")
    page.get_by_label("Prediction 2").fill("Yes")
    page.get_by_role("button", name="Add another question").click()
    expect(page.get_by_label("Question 3")).to_be_focused()
    page.get_by_label("Question 3").fill("Will the solicitor have the papers in time?")
    page.get_by_label("Prediction 3").fill("Not always")
    page.get_by_label("Setting or locality").fill("North locality")
    page.get_by_label("Scale: number of cases").fill("1")
    page.get_by_label("Scale: number of teams").fill("1")
    page.get_by_label("Start date").fill(start_1.isoformat())
    page.get_by_label("End date").fill(end_1.isoformat())
    assert_accessible()
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator("#cycle-status")).to_have_text("Status: Doing")
    cycle_1 = PDSACycle.objects.get(change_idea=idea, number=1)
    assert cycle_1.predictions.count() == 3

    # Only the current phase (Do) is open; the Plan reads as a summary with its Edit button.
    expect(page.locator("#plan")).to_contain_text("Will the meeting happen within 4 weeks?")
    expect(page.locator("#plan")).to_contain_text(member.display_name)
    expect(page.get_by_role("button", name="Save Plan")).to_have_count(0)
    expect(page.get_by_role("button", name="Save Study")).to_have_count(0)
    # Edit opens the Plan's form in place, focus in its first field.
    page.get_by_role("link", name="Edit Plan").click()
    expect(page.get_by_label("Objective of this cycle")).to_be_focused()
    page.get_by_label("Objective of this cycle").fill("An unsaved sharper objective")
    assert_accessible()

    # Do: what happened.
    page.locator("#do").get_by_label("What happened").fill("Booked before the review ended; held after 19 days.")
    page.locator("#do").get_by_label("Observations").fill("The solicitor joined by phone.")
    # Notes typed in another section survive saving this one (only Do, and Study it opens, are replaced).
    page.get_by_role("button", name="Save Do").click()
    expect(page.locator("#do-saved")).to_have_text("✓ Do saved. Status: Studying.")
    expect(page.locator("#cycle-status")).to_have_text("Status: Studying")
    expect(page.locator("#do")).to_contain_text("The solicitor joined by phone.")
    expect(page.get_by_role("link", name="Edit Do")).to_be_focused()
    expect(page.get_by_label("Objective of this cycle")).to_have_value("An unsaved sharper objective")
    expect(page.get_by_label("What did we learn?")).to_be_visible()  # Study opened as the current phase
    # Cancel puts the Plan's summary back, unchanged.
    page.locator("#plan").get_by_role("link", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("link", name="Edit Plan")).to_be_focused()
    expect(page.locator("#plan")).to_contain_text("Will booking legal advice at the review shorten the wait?")

    # Feedback from a carer and a child, on this cycle.
    _record_feedback(page, "carer", "I knew when the legal meeting would be before I left.", "Yes")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PDSA cycle 1")
    page.get_by_role("link", name="Record feedback").click()
    assert_accessible()
    page.go_back()
    _record_feedback(page, "child", "I liked knowing what happens next.", "Partly")
    assert set(cycle_1.feedback.values_list("voice", flat=True)) == {"carer", "child"}
    expect(page.locator("#feedback")).to_contain_text("I liked knowing what happens next.")

    # Study: each prediction beside its result.
    page.get_by_label("Result for: Will the meeting happen within 4 weeks?").fill("Yes, 19 days")
    page.get_by_label("Result for: Will the carer know what happens next?").fill("Yes, she said so")
    page.get_by_label("What did we learn?").fill("It works for one case; the solicitor's diary is the constraint.")
    page.get_by_role("button", name="Save Study").click()
    expect(page.locator("#cycle-status")).to_have_text("Status: Deciding")
    assert_accessible()

    # Act: adapt, and plan the next cycle in another locality.
    page.locator("#act").get_by_label("Adapt").check()
    page.locator("#act").get_by_label("What next").fill("Reserve two solicitor slots a month; test in South.")
    page.get_by_role("button", name="Save Act").click()
    expect(page.locator("#cycle-status")).to_have_text("Status: Complete")
    page.get_by_role("link", name="Plan the next cycle").click()
    expect(page.get_by_label("Objective of this cycle")).to_have_value(
        "Reserve two solicitor slots a month; test in South."
    )
    page.get_by_label("Question 1").fill("Within 4 weeks for all 3 cases?")
    page.get_by_label("Prediction 1").fill("2 of 3")
    page.get_by_label("Setting or locality").fill("South locality")
    page.get_by_label("Scale: number of cases").fill("3")
    page.get_by_label("Start date").fill(start_2.isoformat())
    page.get_by_role("button", name="Save the plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"PDSA cycle 2: {idea.title}")
    page.locator("#do").get_by_label("What happened").fill("All three held within 4 weeks.")
    page.get_by_role("button", name="Save Do").click()
    expect(page.locator("#do-saved")).to_contain_text("Do saved")
    page.get_by_label("Result for: Within 4 weeks for all 3 cases?").fill("3 of 3")
    page.get_by_label("What did we learn?").fill("Reserved slots work.")
    page.get_by_role("button", name="Save Study").click()
    expect(page.locator("#study-saved")).to_contain_text("Study saved")
    page.locator("#act").get_by_label("Adopt").check()
    page.get_by_role("button", name="Save Act").click()
    expect(page.locator("#act-saved")).to_contain_text("Act saved. Status: Complete.")
    idea.refresh_from_db()
    assert idea.status == ChangeIdea.Status.READY

    # A completed cycle reads as a summary, one phase after another, each with its Edit button.
    page.goto(f"{live_server.url}{cycle_1.get_absolute_url()}")
    expect(page.locator("main form textarea")).to_have_count(0)
    for phase in ("Plan", "Do", "Study", "Act"):
        expect(page.get_by_role("link", name=f"Edit {phase}")).to_be_visible()
    expect(page.locator("#study")).to_contain_text("Yes, 19 days")
    expect(page.locator("#act")).to_contain_text("Adapt")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2400, f"the completed cycle is {height} px tall"
    assert_accessible()
    page.get_by_role("link", name="Edit Study").click()
    expect(page.get_by_label("What did we learn?")).to_have_value(
        "It works for one case; the solicitor's diary is the constraint."
    )
    expect(page.get_by_role("button", name="Save Act")).to_have_count(0)
    assert_accessible()

    # The idea's page: the ramp, the feedback share and the spread summary.
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/")
    ramp = page.locator("#ramp-table")
    expect(ramp).to_contain_text("North locality")
    expect(ramp).to_contain_text("South locality")
    expect(page.locator("#idea-feedback-share")).to_contain_text("0 of 2")
    expect(page.locator("#readiness-summary")).to_contain_text("Tested in 2 of 2 localities; adapted in 1")
    expect(page.locator("#readiness-summary")).to_contain_text("no feedback from infants or non-verbal children")
    assert_accessible()
    page.get_by_role("link", name="Manage localities and voices").click()
    page.get_by_label("Setting or locality").fill("East locality")
    page.get_by_role("button", name="Add locality").click()
    expect(page.locator("#readiness-summary")).to_contain_text("Tested in 2 of 3 localities")
    assert_accessible()

    # Close the loop on the carer's feedback from the listening log, filtered to carers.
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/listening/")
    page.get_by_role("link", name=re.compile(r"^Carer \(1\)")).click()
    expect(page.locator("main article")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Respond: you said, we did")).click()
    page.get_by_label('"You said, we did": what we did in response').fill("We now book it at every first review.")
    page.get_by_role("button", name="Save response").click()
    expect(page.locator("#listening-summary")).to_contain_text("50%")
    assert_accessible()
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/listening/?idea={idea.code}")
    expect(page.get_by_role("status").first).to_contain_text(f"Showing feedback about {idea.title}")
    assert_accessible()

    # --- The lead records the decision and asks for approvals ---------------------------------
    _switch_user(page, sign_in, lead.user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/")
    page.get_by_role("link", name="Record the decision to implement").click()
    page.get_by_label("Date of the decision").fill(today.isoformat())
    page.get_by_role("textbox", name="Meeting").fill("PACE leads group")
    page.get_by_label("What the group agreed").fill("Tested in two localities with good feedback: implement.")
    page.get_by_label(re.compile("Cycle 1 — North locality")).check()
    page.get_by_label(re.compile("Cycle 2 — South locality")).check()
    page.get_by_label(re.compile("Carer, ")).check()
    page.get_by_label("Chart (measure) that shows the evidence").select_option(label=measure.title)
    page.get_by_role("checkbox", name=lead.display_name).check()
    page.get_by_role("checkbox", name=admin.display_name).check()
    assert_accessible()
    page.get_by_role("button", name="Record the decision").click()
    implementation = Implementation.objects.get(change_idea=idea)
    expect(page.locator("#approvals")).to_contain_text("Awaiting decision")

    # The lead approves their own part; the admin's part waits for the admin.
    page.locator("#approvals").get_by_label("Approve").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.locator("#approvals")).to_contain_text("Approved")
    expect(page.locator("#start-problems")).to_contain_text(f"Waiting for approval from {admin.display_name}")

    # The change package, with a flowchart.
    page.get_by_role("link", name="Edit the change package").click()
    page.get_by_label("Written guidance: what the new process or practice is").fill(
        "The review chair books the legal advice meeting before the first LAC review ends."
    )
    page.get_by_label("Why it is being introduced").fill("Children wait weeks less for a permanence decision.")
    page.get_by_label("Who to contact for more information").fill("The PACE Lead")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("Flowchart of the new process").set_input_files(
        files=[{"name": "flow.png", "mimeType": "image/png", "buffer": _png()}]
    )
    assert_accessible()
    page.get_by_role("button", name="Save the change package").click()
    expect(page.locator("#package")).to_contain_text("Children wait weeks less")
    implementation.refresh_from_db()
    assert implementation.flowchart_type == "image/png"
    pdf = page.request.get(
        f"{live_server.url}/o/{cast.org.slug}/testing/implementations/{implementation.code}/package.pdf"
    )
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # The admin approves.
    _switch_user(page, sign_in, admin.user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/")
    page.locator("#approvals").get_by_label("Approve").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.locator("#progress")).to_contain_text("Every approver has agreed")

    # Start, then go live: the idea is implemented and shows on the aim's chart.
    _switch_user(page, sign_in, lead.user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/")
    page.get_by_role("button", name="Start implementation").click()
    expect(page.locator("#idea-status")).to_contain_text("Implementing")
    page.get_by_role("button", name="Mark as live").click()
    expect(page.locator("#idea-status")).to_contain_text("Implemented")
    assert_accessible()

    # Share the change package in the library.
    page.get_by_role("link", name="Share in the library").click()
    page.get_by_role("button", name="Publish to the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library: learning across Scotland")
    expect(page.locator("main")).to_contain_text(idea.title)
    assert_accessible()
    assert PublishedItem.objects.filter(organisation=cast.org, kind="change_package").exists()

    keys = set(Annotation.objects.filter(measure=measure).values_list("source_key", flat=True))
    cycle_2 = PDSACycle.objects.get(change_idea=idea, number=2)
    assert keys == {
        f"pdsa-cycle:{cycle_1.code}:start",
        f"pdsa-cycle:{cycle_1.code}:end",
        f"pdsa-cycle:{cycle_2.code}:start",
        f"implementation:{implementation.code}:live",
    }
    page.goto(f"{live_server.url}{measure.get_absolute_url()}")
    payloads = [json.loads(node.text_content()) for node in page.locator("script[type='application/json']").all()]
    texts = {note["text"] for payload in payloads for note in payload.get("annotations", [])}
    assert f"PDSA 1 started in North locality: {idea.title}" in texts
    assert f"PDSA 2 started in South locality: {idea.title}" in texts
    assert f"Implemented: {idea.title}" in texts

    # The index pages, from the Testing navigation, at a laptop's width and a tablet's.
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/")
    page.get_by_role("navigation", name="Testing").get_by_role("link", name="PDSA cycles").click()
    expect(page.locator("#cycle-table tbody tr")).to_have_count(2)
    page.get_by_label("Setting or locality").select_option("South locality")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#cycle-count")).to_have_text("1 PDSA cycle matches the filters.")
    expect(page.locator("#cycle-table")).to_contain_text(f"{idea.title} — cycle 2")
    assert_accessible()
    page.get_by_role("navigation", name="Testing").get_by_role("link", name="Implementations").click()
    expect(page.locator("#implementation-table")).to_contain_text(idea.title)
    page.get_by_role("link", name="Live (1)").click()
    expect(page.locator("#implementation-table tbody tr")).to_have_count(1)
    assert_accessible()
    page.set_viewport_size({"width": 820, "height": 1000})
    for path in ("cycles/", "implementations/", ""):
        page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    # The board: its actions in a toolbar with a menu, every status readable in full.
    actions = page.locator("#board-actions")
    expect(actions.get_by_role("link", name="New change idea")).to_be_visible()
    page.get_by_role("button", name="Ideas inbox").click()
    expect(page.get_by_role("link", name="Send an idea or barrier to the inbox")).to_be_visible()
    expect(page.get_by_role("link", name="Triage the inbox")).to_be_visible()
    page.keyboard.press("Escape")
    box = actions.bounding_box()
    assert box["y"] < 200 and box["height"] < 60, box
    select = page.locator(f"#status-{idea.code}")
    select.select_option("ready")
    fits = select.evaluate(
        """s => {
          const probe = document.createElement("span");
          const style = getComputedStyle(s);
          probe.style.font = style.font;
          probe.style.whiteSpace = "nowrap";
          probe.style.position = "absolute";
          probe.textContent = "Ready to implement";
          document.body.appendChild(probe);
          const need = probe.getBoundingClientRect().width;
          probe.remove();
          const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return room >= need;
        }"""
    )
    assert fits, "the board's status select cuts off “Ready to implement”"
    assert_accessible()
    page.set_viewport_size({"width": 1280, "height": 860})

    # --- A viewer reads everything and can change nothing -------------------------------------
    _switch_user(page, sign_in, viewer.user.email)
    page.goto(f"{live_server.url}{cycle_1.get_absolute_url()}")
    expect(page.locator("#study")).to_contain_text("Yes, 19 days")
    expect(page.get_by_role("button", name="Save Plan")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit Plan")).to_have_count(0)
    expect(page.get_by_role("link", name="Record feedback")).to_have_count(0)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/ideas/{idea.code}/implementation/")
    expect(page.locator("#package")).to_contain_text("The review chair books")
    expect(page.get_by_role("link", name="Edit the change package")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark as live")).to_have_count(0)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/listening/")
    expect(page.get_by_role("link", name="Record feedback")).to_have_count(0)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/testing/library/")
    expect(page.get_by_role("button", name=re.compile("Copy into"))).to_have_count(0)
    response = page.request.post(f"{live_server.url}{cycle_1.get_absolute_url()}do/", form={"what_happened": "x"})
    assert response.status == 403
    assert Feedback.objects.count() == 2
