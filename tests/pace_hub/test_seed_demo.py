from io import StringIO

from django.core.management import call_command

from pace_hub.models import Agency, Membership, Organisation, Team
from pace_hub.roles import Role


def test_seed_demo_creates_two_councils_with_every_role_and_is_idempotent(db) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Organisation.objects.count(), Membership.objects.count(), Team.objects.count(), Agency.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        Organisation.objects.count(), Membership.objects.count(), Team.objects.count(), Agency.objects.count()
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
    assert "janet.hamilton@renfrewshire.demo" in printed
