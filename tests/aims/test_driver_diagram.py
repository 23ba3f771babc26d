"""The driver diagram: editor, drawing, SVG export and the text alternative."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims import services
from aims.diagram import DiagramNode, draw_driver_diagram
from aims.models import Driver
from pace_hub.roles import Role
from tests.aims.factories import AimFactory, DriverFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [" ".join(t.strip() for t in text.itertext()) for text in root.iter(f"{SVG}text")]


def test_drawing_has_four_columns_boxes_and_a_connector_per_link() -> None:
    shared = DiagramNode("idea:1", "Shared idea & <test>", note="Testing")
    svg = draw_driver_diagram(
        aim_text="90% of children accommodated will have a recommendation within 6 months",
        primaries=[
            DiagramNode("driver:1", "Timely legal advice", [DiagramNode("driver:2", "Early booking", [shared])]),
            DiagramNode("driver:3", "Good LAC reviews", [shared, DiagramNode("idea:2", "IRO checklist")]),
        ],
    )
    root = ET.fromstring(svg)  # well-formed, text escaped
    texts = _texts(svg)
    assert texts[:4] == ["Aim", "Primary drivers", "Secondary drivers", "Change ideas"]
    assert "Shared idea & <test>" in texts and "Testing" in texts
    assert sum(1 for t in texts if t == "Shared idea & <test>") == 1  # drawn once
    # aim→2 primaries, primary→secondary, secondary→idea, primary→2 ideas
    assert len(list(root.iter(f"{SVG}path"))) == 6
    assert len(list(root.iter(f"{SVG}rect"))) == 1 + 6  # background + 6 boxes
    assert root.get("role") == "img"


def test_long_text_wraps_within_the_box_and_is_cut_short_at_the_limit() -> None:
    svg = draw_driver_diagram(aim_text="word " * 40, primaries=[DiagramNode("driver:1", "driver " * 60)], title="Long")
    texts = list(ET.fromstring(svg).iter(f"{SVG}text"))
    aim_lines = [line.text for line in texts[4].iter(f"{SVG}tspan")]
    assert 5 < len(aim_lines) <= 14 and all(len(line) <= 23 for line in aim_lines)
    driver_lines = [line.text for line in texts[5].iter(f"{SVG}tspan")]
    assert len(driver_lines) == 8 and all(len(line) <= 30 for line in driver_lines)
    assert driver_lines[-1].endswith("…")


def test_driver_editor_adds_primary_and_secondary_drivers(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    client = cast.client(Role.MEMBER)
    url = reverse("aim_drivers", args=[cast.org.slug, aim.code])
    assert client.post(url, {"text": "Timely legal advice"}).status_code == 302
    primary = Driver.objects.get()
    assert client.post(url, {"text": "Book at the first review", "parent": primary.code}).status_code == 302
    secondary = Driver.objects.get(parent=primary)
    assert secondary.text == "Book at the first review" and secondary.aim == aim
    response = client.post(url, {"text": "  "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    page = client.get(url).content.decode()
    assert "Primary driver 1" in page and "Secondary driver 1.1" in page and "<svg" in page


def test_secondary_drivers_cannot_nest_or_cross_aims(cast) -> None:
    aim, other = AimFactory(organisation=cast.org), AimFactory(organisation=cast.org)
    primary = DriverFactory(aim=aim, organisation=cast.org)
    secondary = DriverFactory(aim=aim, organisation=cast.org, parent=primary)
    with pytest.raises(ValidationError, match="not under another secondary"):
        services.driver_add(aim=aim, text="Too deep", parent=secondary)
    with pytest.raises(ValidationError, match="another aim"):
        services.driver_add(aim=other, text="Wrong aim", parent=primary)


def test_reorder_edit_and_remove(cast) -> None:
    aim = AimFactory(organisation=cast.org)
    client = cast.client(Role.MEMBER)
    first, second, third = (services.driver_add(aim=aim, text=t) for t in ("One", "Two", "Three"))
    client.post(reverse("driver_move", args=[cast.org.slug, third.code]), {"direction": "up"})
    assert list(Driver.objects.filter(aim=aim).values_list("text", flat=True)) == ["One", "Three", "Two"]
    client.post(reverse("driver_move", args=[cast.org.slug, first.code]), {"direction": "up"})  # already first
    client.post(reverse("driver_move", args=[cast.org.slug, first.code]), {"direction": "down"})
    assert list(Driver.objects.filter(aim=aim).values_list("text", flat=True)) == ["Three", "One", "Two"]
    client.post(reverse("driver_edit", args=[cast.org.slug, second.code]), {"text": "Two, clearer"})
    idea = ChangeIdeaFactory(organisation=cast.org)
    idea.drivers.add(second)
    client.post(reverse("driver_delete", args=[cast.org.slug, second.code]))
    assert list(Driver.objects.filter(aim=aim).values_list("text", flat=True)) == ["Three", "One"]
    idea.refresh_from_db()  # the change idea stays
    assert idea.drivers.count() == 0


def test_svg_download_and_text_alternative(cast) -> None:
    aim = AimFactory(organisation=cast.org, title="Permanence in 6 months")
    primary = DriverFactory(aim=aim, organisation=cast.org, text="Timely legal advice")
    idea = ChangeIdeaFactory(organisation=cast.org, title="Legal advice at 6 weeks")
    idea.drivers.add(primary)
    response = cast.client(Role.VIEWER).get(reverse("aim_diagram_svg", args=[cast.org.slug, aim.code]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert 'filename="driver-diagram-permanence-in-6-months.svg"' in response["Content-Disposition"]
    assert "Legal advice at 6 weeks" in _texts(response.content.decode().split("\n", 1)[1])
    page = cast.client(Role.VIEWER).get(aim.get_absolute_url()).content.decode()
    assert "Primary driver: Timely legal advice" in page and "Change idea: " in page
    assert cast.client("outsider").get(reverse("aim_diagram_svg", args=[cast.org.slug, aim.code])).status_code == 404


@pytest.mark.parametrize("name", ["driver_edit", "driver_delete", "driver_move"])
def test_viewers_cannot_change_drivers(cast, name: str) -> None:
    driver = DriverFactory(aim=AimFactory(organisation=cast.org), organisation=cast.org, text="Keep me")
    url = reverse(name, args=[cast.org.slug, driver.code])
    assert cast.client(Role.VIEWER).post(url, {"text": "Changed"}).status_code == 403
    assert cast.client("outsider").post(url, {"text": "Changed"}).status_code == 404
    assert Driver.objects.get().text == "Keep me"
