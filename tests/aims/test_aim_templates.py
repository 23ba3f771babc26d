"""Aim templates: the PACE national aims carry their national targets, so an aim started from one
can be saved as active once the organisation adds its baseline and date; the builder warns (and
does not refuse) when the organisation already has an aim from the same template."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.models import Aim
from aims.services import aim_create
from aims.statements import AIM_TEMPLATES, TEMPLATES_BY_KEY
from pace_hub.roles import Role
from tests.aims.factories import AimFactory

pytestmark = pytest.mark.django_db


def _new(cast, template: str = "") -> str:
    url = reverse("aim_create", args=[cast.org.slug])
    return f"{url}?template={template}" if template else url


def _from_template(key: str, **overrides: str) -> dict:
    """What the builder posts when a template's prefilled parts are kept and the local ones added."""
    template = TEMPLATES_BY_KEY[key]
    return {
        "title": template.title,
        "kind": template.kind,
        "status": "active",
        "population": template.population,
        "improvement": template.improvement,
        "unit": template.unit,
        "target_value": f"{template.target_value:g}",
        "baseline_value": "55",
        "baseline_label": "in 2025",
        "by_date": "2027-03-31",
        "review_interval_days": "90",
        **overrides,
    }


def test_every_national_template_has_its_national_target() -> None:
    national = {t.key: t.target_value for t in AIM_TEMPLATES if t.kind == "national"}
    assert national == {"permanence_6_months": 90.0, "cso_two_years": 100.0}


@pytest.mark.parametrize("key", [t.key for t in AIM_TEMPLATES if t.kind == "national"])
def test_a_national_aim_from_its_template_saves_as_active(cast, key: str) -> None:
    client = cast.client(Role.LEAD)
    page = client.get(_new(cast, key)).content.decode()
    target = TEMPLATES_BY_KEY[key].target_value
    assert re.search(rf'name="target_value" value="{target:g}(\.0)?"', page)
    response = client.post(_new(cast, key), _from_template(key))
    aim = Aim.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (aim.status, aim.target_value, aim.template) == ("active", target, key)


def test_the_builder_warns_when_the_organisation_has_an_aim_from_the_same_template(cast) -> None:
    client = cast.client(Role.LEAD)
    assert 'id="template-warning"' not in client.get(_new(cast, "permanence_6_months")).content.decode()
    client.post(_new(cast, "permanence_6_months"), _from_template("permanence_6_months"))
    existing = Aim.objects.get()
    existing.title = "Our 6-month aim"  # renamed since: still from that template
    existing.save()
    # Another organisation's aim from the same template is none of this one's business.
    AimFactory(organisation=cast.other_org, title="Their aim", template="cso_two_years")

    page = client.get(_new(cast, "permanence_6_months")).content.decode()
    assert 'id="template-warning"' in page
    assert "Your organisation already has an aim from the template" in page
    assert f'href="{existing.get_absolute_url()}">Our 6-month aim</a> (active)' in page
    assert 'id="template-warning"' not in client.get(_new(cast, "cso_two_years")).content.decode()
    assert 'id="template-warning"' not in client.get(_new(cast)).content.decode()

    # A warning, not a refusal: the second aim saves, and a form sent back with errors still warns.
    refused = client.post(_new(cast, "permanence_6_months"), _from_template("permanence_6_months", by_date=""))
    assert refused.status_code == 200 and 'id="template-warning"' in refused.content.decode()
    saved = client.post(_new(cast, "permanence_6_months"), _from_template("permanence_6_months"))
    assert saved.status_code == 302
    assert Aim.objects.filter(organisation=cast.org, template="permanence_6_months").count() == 2


def test_an_aim_made_before_templates_were_recorded_is_matched_by_its_title(cast) -> None:
    AimFactory(organisation=cast.org, title="Review for children on a CSO for 2 years", template="")
    AimFactory(organisation=cast.org, title="Permanence recommendation within 6 months", status="retired")
    client = cast.client(Role.MEMBER)
    assert 'id="template-warning"' in client.get(_new(cast, "cso_two_years")).content.decode()
    # A retired aim is no reason to hesitate.
    assert 'id="template-warning"' not in client.get(_new(cast, "permanence_6_months")).content.decode()


def test_an_unknown_template_is_refused_by_the_service(cast) -> None:
    with pytest.raises(ValidationError) as error:
        aim_create(organisation=cast.org, data={"title": "x"}, template="made_up")
    assert "There is no aim template called “made_up”" in str(error.value)
    # The builder ignores an unknown template in the address and starts blank.
    page = cast.client(Role.MEMBER).get(_new(cast, "made_up")).content.decode()
    assert 'id="template-warning"' not in page and 'name="target_value"' in page
