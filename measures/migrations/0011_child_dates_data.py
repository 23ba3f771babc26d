"""Milestone dates on the child row, step 2 of 3: move the data, both ways.

Forward: each MilestoneDate row becomes an entry of its child's ``dates`` map, and an import's
per-date change rows (and its route row) for one child become that child's one change row, with
``old_dates``/``new_dates`` (null in ``old_dates`` for a date the import added). Rows for
children the import created stay as they are (roll-back deletes those children).

Backward: the maps become MilestoneDate rows again and each change row becomes a route row (if
the route changed) and one row per date. Both directions work in batches, so that memory stays
bounded, and leave the other layout's data in place until 0012 (or its reverse) drops it.
"""

from collections import defaultdict
from datetime import date

from django.db import migrations

BATCH = 2000


def _iso(day) -> str | None:
    return None if day is None else day.isoformat()


def forward(apps, schema_editor) -> None:
    Child = apps.get_model("measures", "Child")
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    ImportChange = apps.get_model("measures", "ImportChange")

    maps: dict[int, dict[str, str]] = defaultdict(dict)
    rows = MilestoneDate.objects.order_by("child_id").values_list("child_id", "milestone__code", "date")
    for child_id, code, day in rows.iterator(chunk_size=BATCH):
        maps[child_id][code] = day.isoformat()
    ids = sorted(maps)
    for start in range(0, len(ids), BATCH):
        children = Child.objects.in_bulk(ids[start : start + BATCH])
        for pk, child in children.items():
            child.dates = {**(child.dates or {}), **maps[pk]}
        Child.objects.bulk_update(list(children.values()), ["dates"])

    # Per-date and route change rows of children held before, merged into one row per child.
    merged: dict[tuple[int, int], dict] = {}
    spent = []
    old_rows = (
        ImportChange.objects.filter(created_child=False)
        .order_by("milestone_import_id", "child_id", "pk")
        .values_list(
            "pk",
            "organisation_id",
            "milestone_import_id",
            "child_id",
            "milestone__code",
            "old_date",
            "new_date",
            "old_route",
            "new_route",
        )
    )
    for pk, organisation_id, import_id, child_id, code, old_date, new_date, old_route, new_route in old_rows.iterator(
        chunk_size=BATCH
    ):
        row = merged.setdefault(
            (import_id, child_id),
            {"organisation_id": organisation_id, "old_route": "", "new_route": "", "old_dates": {}, "new_dates": {}},
        )
        if code is None:
            row["old_route"], row["new_route"] = old_route, new_route
        else:
            row["old_dates"][code] = _iso(old_date)
            row["new_dates"][code] = _iso(new_date)
        spent.append(pk)
    for start in range(0, len(spent), BATCH):
        ImportChange.objects.filter(pk__in=spent[start : start + BATCH]).delete()
    ImportChange.objects.bulk_create(
        [
            ImportChange(milestone_import_id=import_id, child_id=child_id, created_child=False, **values)
            for (import_id, child_id), values in merged.items()
        ],
        batch_size=BATCH,
    )


def backward(apps, schema_editor) -> None:
    Child = apps.get_model("measures", "Child")
    Milestone = apps.get_model("measures", "Milestone")
    MilestoneDate = apps.get_model("measures", "MilestoneDate")
    ImportChange = apps.get_model("measures", "ImportChange")

    milestones = {(org, code): pk for pk, org, code in Milestone.objects.values_list("pk", "organisation_id", "code")}
    dated = Child.objects.exclude(dates={}).order_by("pk").values_list("pk", "organisation_id", "dates")
    batch = []
    for child_id, organisation_id, dates in dated.iterator(chunk_size=BATCH):
        for code, text in dates.items():
            milestone_id = milestones.get((organisation_id, code))
            if milestone_id is not None:  # a code whose milestone was deleted had no rows
                batch.append(
                    MilestoneDate(
                        organisation_id=organisation_id,
                        child_id=child_id,
                        milestone_id=milestone_id,
                        date=date.fromisoformat(text),
                    )
                )
        if len(batch) >= BATCH:
            MilestoneDate.objects.bulk_create(batch)
            batch = []
    MilestoneDate.objects.bulk_create(batch)
    Child.objects.exclude(dates={}).update(dates={})

    spent, rows = [], []
    merged = ImportChange.objects.filter(created_child=False).order_by("pk")
    for change in merged.iterator(chunk_size=BATCH):
        spent.append(change.pk)
        common = {
            "organisation_id": change.organisation_id,
            "milestone_import_id": change.milestone_import_id,
            "child_id": change.child_id,
            "created_child": False,
        }
        if change.old_route != change.new_route:
            rows.append(ImportChange(**common, old_route=change.old_route, new_route=change.new_route))
        for code, text in change.new_dates.items():
            milestone_id = milestones.get((change.organisation_id, code))
            if milestone_id is None:
                continue
            old = change.old_dates.get(code)
            rows.append(
                ImportChange(
                    **common,
                    milestone_id=milestone_id,
                    old_date=date.fromisoformat(old) if old else None,
                    new_date=date.fromisoformat(text) if text else None,
                )
            )
    for start in range(0, len(spent), BATCH):
        ImportChange.objects.filter(pk__in=spent[start : start + BATCH]).delete()
    ImportChange.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("measures", "0010_child_dates")]

    operations = [migrations.RunPython(forward, backward)]
