"""Spread and scale: the matrix of settings × tested / adapted / voices, and the plain-words
readiness summary."""

import pytest

from pace_hub.roles import Role
from pdsa.models import Feedback, PDSACycle, SpreadLocality, SpreadPlan
from pdsa.selectors.spread import CycleFact, readiness_summary, spread_for_idea, spread_rows
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, PDSACycleFactory

V = Feedback.Voice


def test_rows_merge_cycle_settings_and_hand_added_localities_ignoring_case() -> None:
    rows = spread_rows(
        [
            CycleFact("North", tested=True, adapted=False, voices=frozenset({V.CARER})),
            CycleFact("north ", tested=False, adapted=True, voices=frozenset({V.CHILD})),
            CycleFact("", tested=True, adapted=False),
            CycleFact("South", tested=False, adapted=False),
        ],
        ["North", "East", "  "],
    )
    assert [r.setting for r in rows] == ["East", "North", "South"]
    east, north, south = rows
    assert (north.cycles, north.tested, north.adapted, north.voices) == (2, True, True, {V.CARER, V.CHILD})
    assert (east.cycles, east.tested) == (0, False)
    assert south.cycles == 1 and not south.tested


def test_summary_in_plain_words() -> None:
    rows = spread_rows(
        [CycleFact("North", True, False), CycleFact("South", True, True)], ["North", "South", "East", "West", "Central"]
    )
    text = readiness_summary(rows, [V.CHILD, V.PARENT, V.CARER], {V.CHILD, V.PARENT})
    assert text == (
        "Tested in 2 of 5 localities; adapted in 1; not yet tested in Central, East, West; no feedback from carers yet."
    )


def test_summary_lists_missing_voices_and_praises_complete_feedback() -> None:
    rows = spread_rows([CycleFact("North", True, False)], [])
    assert readiness_summary(rows, [V.CARER, V.INFANT, V.PARTNER], set()) == (
        "Tested in 1 of 1 locality; no feedback from carers, infants or non-verbal children or partner agencies yet."
    )
    complete = readiness_summary(rows, [V.CARER], {V.CARER})
    assert complete == "Tested in 1 of 1 locality; feedback heard from everyone affected."
    assert readiness_summary([], [], set()).startswith("No settings or localities yet")


@pytest.mark.django_db
def test_spread_for_idea_reads_cycles_feedback_and_the_plan(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    north = PDSACycleFactory(change_idea=idea, number=1, setting="North", what_happened="Done", decision="adapt")
    PDSACycleFactory(change_idea=idea, number=2, setting="South", status=PDSACycle.Status.PLAN)
    SpreadLocality.objects.create(organisation=org, change_idea=idea, name="East")
    SpreadPlan.objects.create(organisation=org, change_idea=idea, affected_voices=[V.CHILD, V.CARER])
    FeedbackFactory(organisation=org, cycle=north, change_idea=idea, voice=V.CARER)
    FeedbackFactory(organisation=org, change_idea=idea, voice=V.PARENT)
    spread = spread_for_idea(idea)
    rows = {r.setting: r for r in spread.rows}
    assert rows["North"].tested and rows["North"].adapted and rows["North"].voices == {V.CARER}
    assert not rows["South"].tested and rows["East"].cycles == 0
    assert spread.voices_heard == {V.CARER, V.PARENT}
    assert spread.missing_voices == [V.CHILD]
    assert spread.summary == (
        "Tested in 1 of 3 localities; adapted in 1; not yet tested in East, South; "
        "no feedback from children or young people yet."
    )


@pytest.mark.django_db
def test_spread_page_adds_and_removes_localities_and_voices(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org)
    base = f"/o/{cast.org.slug}/testing/ideas/{idea.code}/spread/"
    member = cast.client(Role.MEMBER)
    assert member.post(base + "localities/", {"name": "  West   Locality "}).status_code == 302
    locality = SpreadLocality.objects.get(change_idea=idea)
    assert locality.name == "West Locality"
    response = member.post(base + "localities/", {"name": "west locality"}, follow=True)
    assert "already in the matrix" in response.content.decode()
    assert member.post(base + "voices/", {"affected_voices": ["carer", "child"]}).status_code == 302
    assert SpreadPlan.objects.get(change_idea=idea).affected_voices == ["carer", "child"]
    page = cast.client(Role.VIEWER).get(base).content.decode()
    assert "Tested in 0 of 1 locality" in page and "Add locality" not in page
    assert cast.client(Role.VIEWER).post(base + "localities/", {"name": "X"}).status_code == 403
    remove = f"/o/{cast.org.slug}/testing/spread/localities/{locality.code}/remove/"
    assert member.post(remove).status_code == 302
    assert not SpreadLocality.objects.exists()
