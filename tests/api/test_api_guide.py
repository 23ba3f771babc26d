"""docs/api.md's curl examples, run as written against the live server."""

import os
import re
import subprocess
from pathlib import Path

import pytest

from api.models import ApiKey
from tests.api.conftest import make_key
from tests.measures.factories import MeasureFactory, monthly_points

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
EXAMPLE = re.compile(r"```sh\n# expect (\d{3})\n(curl .*?)\n```", re.DOTALL)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLE.findall(GUIDE.read_text())) >= 9


@pytest.mark.django_db(transaction=True)
def test_every_curl_example_in_the_guide_answers_as_it_says(cast, live_server, tmp_path) -> None:
    measure = MeasureFactory(organisation=cast.org)
    monthly_points(measure, [40, 42, 39, 44])
    environment = {
        **os.environ,
        "PACE_HUB": live_server.url,
        "PACE_READ_KEY": make_key(cast.org, ApiKey.Scope.READ).token,
        "PACE_WRITE_KEY": make_key(cast.org, ApiKey.Scope.MILESTONES_WRITE).token,
        "MEASURE": str(measure.code),
    }
    for number, (expected, command) in enumerate(EXAMPLE.findall(GUIDE.read_text())):
        body = tmp_path / f"answer-{number}.json"
        result = subprocess.run(
            ["bash", "-c", f"{command} -o {body} -w '%{{http_code}}'"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected, f"{command}\n→ {result.stdout}: {body.read_text()[:500]}"
