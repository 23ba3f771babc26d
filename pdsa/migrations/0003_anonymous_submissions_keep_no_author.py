"""Anonymous idea submissions keep no author in their change history: the rows written when
they were submitted (or later changed by the submitter) named the person who asked to stay
anonymous. New submissions are recorded without an author (pdsa.services.inbox)."""

from django.db import migrations


def forget_anonymous_authors(apps, schema_editor) -> None:
    HistoricalIdeaSubmission = apps.get_model("pdsa", "HistoricalIdeaSubmission")
    Membership = apps.get_model("pace_hub", "Membership")
    submitter_users = dict(Membership.objects.values_list("pk", "user_id"))
    for record in HistoricalIdeaSubmission.objects.filter(anonymous=True, history_user__isnull=False).only(
        "history_id", "history_user_id", "submitted_by_id"
    ):
        if submitter_users.get(record.submitted_by_id) == record.history_user_id:
            HistoricalIdeaSubmission.objects.filter(history_id=record.history_id).update(history_user=None)


class Migration(migrations.Migration):
    dependencies = [
        ("pdsa", "0002_implementation_spread_sharing"),
        ("pace_hub", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_anonymous_authors, migrations.RunPython.noop, elidable=True)]
