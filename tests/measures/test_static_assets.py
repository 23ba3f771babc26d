"""Static files as production serves them (issue 16 item 5, issue 13): collectstatic with the
compressed manifest storage works, whitenoise answers hashed, brotli/gzip-compressed files
cached as immutable, and an aim page's first view transfers under 1.5 MB."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from django.urls import reverse

from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.measures.factories import MeasureFactory, monthly_points

PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FIRST_VIEW_LIMIT = 1_500_000
PLOTLY = "vendor/plotly/plotly-basic.min.js"


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        # The project's own files (the admin's and the API docs' are Django's and ninja's).
        call_command("collectstatic", "--noinput", "-i", "admin", "-i", "ninja", verbosity=0)
    return root


def test_collectstatic_hashes_and_compresses_the_plotly_bundle(collected) -> None:
    hashed = list((collected / "vendor/plotly").glob("plotly-basic.min.*.js"))
    assert len(hashed) == 1 and re.fullmatch(r"plotly-basic\.min\.[0-9a-f]{12}\.js", hashed[0].name)
    assert hashed[0].with_name(hashed[0].name + ".br").exists()
    assert hashed[0].with_name(hashed[0].name + ".gz").exists()
    # The basic bundle (scatter traces; every chart is one), not the 4.85 MB full one.
    assert hashed[0].stat().st_size < 1_200_000
    assert not (Path(settings.BASE_DIR) / "static/vendor/plotly/plotly.min.js").exists()
    assert "plotly.js (basic - minified)" in hashed[0].read_text()[:200]


@pytest.mark.django_db
def test_an_aim_pages_first_view_transfers_under_1_5_mb(cast, collected) -> None:
    outcome = MeasureFactory(organisation=cast.org, title="Children with a plan in 6 months", unit="%")
    monthly_points(outcome, [55 + (index % 7) for index in range(30)])
    aim = AimFactory(organisation=cast.org, outcome_measure=outcome)
    for number in range(4):
        process = MeasureFactory(organisation=cast.org, title=f"Process {number}")
        monthly_points(process, [10 + (index % 5) for index in range(24)])
        aim.measures.add(process)

    with override_settings(STATIC_ROOT=collected, STORAGES=PRODUCTION_STORAGES, WHITENOISE_MAX_AGE=86400):
        # A new client: whitenoise reads STATIC_ROOT when its middleware is first loaded.
        client = cast.client(Role.LEAD)
        page = client.get(reverse("aim_detail", args=[cast.org.slug, aim.code]))
        assert page.status_code == 200
        html = page.content.decode()
        assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html)))
        assert any("plotly-basic.min." in asset for asset in assets), assets
        total = len(page.content)
        for asset in assets:
            # Every asset under its hashed name: its URL changes when it does, so it can be kept.
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", asset), asset
            response = client.get(asset, HTTP_ACCEPT_ENCODING="br, gzip")
            assert response.status_code == 200, asset
            assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if asset.endswith((".js", ".css", ".svg")):
                assert response["Content-Encoding"] == "br", asset
            total += len(body)
        print(f"aim page first view: {total:,} bytes, {len(assets)} assets")  # for the closing note
        assert total < FIRST_VIEW_LIMIT, f"{total:,} bytes"
