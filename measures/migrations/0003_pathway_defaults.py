"""Give every existing organisation the default pathway (milestones, timescales and their derived
measures). Organisations created later get it from measures.pathway.pathway_create_defaults.

The defaults are copied here, not imported, so that this migration keeps meaning what it meant.
"""

from django.db import migrations

MILESTONES = [
    ("looked_after", "Child became looked after and accommodated"),
    ("first_review", "First LAC review"),
    ("legal_advice", "Legal advice / permanence planning meeting"),
    ("permanence_rec", "LAC review recommends permanence"),
    ("panel", "Permanence / adoption panel recommendation"),
    ("adm_decision", "Agency decision maker decision"),
    ("hearing_advice", "Children's hearing advice to the court"),
    ("court_lodged", "Application lodged in court"),
    ("order_granted", "Final order granted"),
]
TIMESCALES = [
    (
        "looked_after",
        "permanence_rec",
        183,
        "Looked after to permanence recommendation",
        "PACE national aim: permanence recommendation within 6 months of becoming looked after and "
        "accommodated (6 months taken as 183 days).",
    ),
    (
        "permanence_rec",
        "panel",
        84,
        "Permanence recommendation to panel",
        "Common local aim: panel within 12 weeks (84 days) of the LAC review recommendation.",
    ),
    (
        "panel",
        "adm_decision",
        14,
        "Panel to agency decision maker",
        "Adoption Agencies (Scotland) Regulations 2009, reg 13: decision within 14 days of the panel recommendation.",
    ),
    (
        "adm_decision",
        "court_lodged",
        84,
        "Agency decision maker to application lodged",
        "Local target: application lodged in court within 12 weeks (84 days) of the decision.",
    ),
    (
        "court_lodged",
        "order_granted",
        183,
        "Application lodged to order granted",
        "Local target: final order within 6 months (183 days) of the application.",
    ),
    (
        "looked_after",
        "order_granted",
        548,
        "Looked after to order granted",
        "Local target: final order within 18 months (548 days) of becoming looked after.",
    ),
]
MEASURES = [
    ("median_days", "median days", "run", "down", "days", "process", None),
    ("within_target", "% within target", "p", "up", "%", "outcome", 90.0),
    ("waiting", "children waiting past target", "run", "down", "children", "process", None),
]


def create_defaults(apps, schema_editor):
    Organisation = apps.get_model("pace_hub", "Organisation")
    Milestone = apps.get_model("measures", "Milestone")
    Timescale = apps.get_model("measures", "Timescale")
    Measure = apps.get_model("measures", "Measure")
    for organisation in Organisation.objects.all():
        if Milestone.objects.filter(organisation=organisation).exists():
            continue
        milestones = {
            code: Milestone.objects.create(organisation=organisation, code=code, name=name, order=10 * order)
            for order, (code, name) in enumerate(MILESTONES, start=1)
        }
        for from_code, to_code, days, name, basis in TIMESCALES:
            timescale = Timescale.objects.create(
                organisation=organisation,
                from_milestone=milestones[from_code],
                to_milestone=milestones[to_code],
                target_days=days,
                name=name,
                basis=basis,
            )
            for derivation, suffix, chart, better, unit, kind, target in MEASURES:
                Measure.objects.create(
                    organisation=organisation,
                    title=f"{name}: {suffix}",
                    source="derived",
                    timescale=timescale,
                    derivation=derivation,
                    chart=chart,
                    better=better,
                    unit=unit,
                    kind=kind,
                    target=target,
                    description=f"Derived from milestone data ({name}, target {days} days).",
                )


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0002_milestoneimport_preview"),
        ("pace_hub", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
