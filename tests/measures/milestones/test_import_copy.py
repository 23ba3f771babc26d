"""The PostgreSQL commit's insert of new children (``imports._copy_children``): each child's
dates are sent as a column per milestone and its map is built in the database; every date,
route and reference arrives as given, whatever the number of milestones. Runs on PostgreSQL
only (the other databases take bulk_create, which the service tests cover)."""

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction

from measures.milestones import imports
from measures.models import Child, MilestoneImport


@pytest.fixture
def on_postgresql(db):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")


def test_new_children_arrive_with_every_date_route_and_reference(on_postgresql, cast):
    org = cast.org
    milestone_import = MilestoneImport.objects.create(organisation=org, original_name="m.csv", file="m.csv")
    codes = [f"m{number}" for number in range(60)]  # more than one jsonb_build_object takes
    odd = 'C-"3", with a comma'
    new = pd.DataFrame({"reference": ["C-1", "C-2", odd], "route": ["po", None, ""]})
    dated = pd.DataFrame({"reference": ["C-1"] * 60 + [odd], "milestone": codes + ["m7"]})
    texts = np.array([f"2024-01-{number % 28 + 1:02d}" for number in range(60)] + ["2023-12-31"], dtype=object)
    with transaction.atomic():
        imports._copy_children(milestone_import, new, dated, texts)
    children = {child.reference: child for child in Child.objects.filter(organisation=org)}
    assert set(children) == {"C-1", "C-2", odd}
    assert children["C-1"].dates == dict(zip(codes, texts[:60].tolist(), strict=True))
    assert (children["C-1"].route, children["C-2"].route, children[odd].route) == ("po", "", "")
    assert children["C-2"].dates == {}
    assert children[odd].dates == {"m7": "2023-12-31"}
    assert {child.created_by_import_id for child in children.values()} == {milestone_import.pk}
    assert len({child.code for child in children.values()}) == 3
