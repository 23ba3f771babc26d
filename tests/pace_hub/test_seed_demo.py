from io import StringIO

from django.core.management import call_command

from pace_hub.models import Agency, Membership, Organisation, Team
from pace_hub.roles import Role
from pdsa.models import Implementation, PublishedItem


def test_seed_demo_creates_two_councils_with_every_role_and_is_idempotent(db) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Organisation.objects.count(), Membership.objects.count(), Team.objects.count(), Agency.objects.count())
    again = StringIO()
    call_command("seed_demo", "--port", "8001", stdout=again)
    assert counts == (
        Organisation.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
        Agency.objects.count(),
    )
    assert counts[0] >= 2
    for org in Organisation.objects.all():
        people = Membership.objects.for_organisation(org)
        assert {m.role for m in people} == set(Role)
        assert people.count() >= 12
        kinds = set(Agency.objects.for_organisation(org).values_list("kind", flat=True))
        assert {"social_work", "legal", "scra", "chs", "health", "education", "third_sector"} <= kinds
        assert Team.objects.for_organisation(org).filter(kind=Team.Kind.LEADS).exists()
        assert Team.objects.for_organisation(org).filter(kind=Team.Kind.AIMS).exists()
        assert org.leadership_gaps() == []
    printed = out.getvalue()
    assert "morag.reid@aberdeen.demo" in printed and "pace-demo-2026" in printed
    assert "elaine.crawford@renfrewshire.demo" in printed and "Sign in at http://127.0.0.1:8000/ with:" in printed
    assert "Sign in at http://127.0.0.1:8001/ with:" in again.getvalue()  # make run PORT=8001
    assert_the_demo_is_credible()


def assert_the_demo_is_credible() -> None:
    """What a reader of the demo would find odd: work in the wrong order, copies, strangers."""
    for team in Team.objects.prefetch_related("members"):
        assert team.chair is None or team.chair in team.members.all(), f"{team}'s chair is not one of its members"
    implementations = list(Implementation.objects.prefetch_related("training", "readiness").order_by("pk"))
    assert len(implementations) >= 3
    for implementation in implementations:
        steps = [implementation.decided_on, implementation.started_on, implementation.live_on]
        done = [step for step in steps if step is not None]
        assert done == sorted(done) and steps[: len(done)] == done, f"{implementation}: decided, started, live {steps}"
        assert all(record.date >= implementation.decided_on for record in implementation.training.all())
    for org in Organisation.objects.all():
        records = {}
        for implementation in (i for i in implementations if i.organisation_id == org.pk):
            training = tuple(sorted((t.audience, t.count) for t in implementation.training.all()))
            readiness = tuple(sorted(r.note for r in implementation.readiness.all()))
            for kind, record in (
                ("decision", implementation.decision_text),
                ("training", training),
                ("readiness", readiness),
            ):
                if record:
                    assert (kind, record) not in records, (
                        f"{implementation} repeats the {kind} of {records.get((kind, record))}"
                    )
                    records[(kind, record)] = implementation
    items = list(PublishedItem.objects.all())
    assert len({item.organisation_id for item in items}) == 2, "each council shares something in the library"
    assert len({item.title for item in items}) == len(items), "the library lists the same work twice"
    by_person = {}
    for item in items:
        assert by_person.setdefault(item.published_by_name, item.organisation_name) == item.organisation_name, (
            f"{item.published_by_name} published for two councils"
        )
    people = {
        org.slug: set(Membership.objects.for_organisation(org).values_list("user__last_name", flat=True))
        for org in Organisation.objects.all()
    }
    # Only the improvement advisor works for both councils.
    assert people["aberdeen-city"] & people["renfrewshire"] == {"Kerr"}, "the two councils share people"
