from django.apps import apps
from django.contrib import admin
from simple_history.models import registered_models

from pace_hub.history import recent_changes
from pace_hub.models import TenantModel
from pace_hub.roles import Role
from tests.factories import AgencyFactory


def test_every_domain_model_keeps_history_and_is_in_the_admin() -> None:
    tracked = set(registered_models.values())
    for model in apps.get_models():
        if model._meta.app_label not in {"pace_hub", "measures", "aims", "pdsa", "governance"}:
            continue
        if model.__name__.startswith("Historical"):
            continue
        assert model in admin.site._registry, f"{model.__name__} is not in the Django admin"
        if issubclass(model, TenantModel):
            assert model in tracked, f"{model.__name__} keeps no history"


def test_history_page_shows_who_changed_what_in_this_organisation_only(cast, admin_client) -> None:
    member = cast.members[Role.MEMBER]
    admin_client.post(
        f"/o/{cast.org.slug}/team/members/{member.code}/edit/",
        {
            "role": Role.VIEWER,
            "job_title": "Reviewing officer",
            "qi_skill": "none",
        },
    )
    AgencyFactory(organisation=cast.other_org, name="Hidden agency of another council")
    changes = recent_changes(cast.org)
    edit = next(change for change in changes if change.kind == "changed" and change.what == "Membership")
    assert edit.who == cast.members[Role.ADMIN].user.get_full_name()
    assert "role" in edit.fields and "job title" in edit.fields
    page = admin_client.get(f"/o/{cast.org.slug}/history/").content.decode()
    assert "Hidden agency" not in page
    assert "Membership" in page


def test_admin_site_lists_load_for_a_superuser(cast, client, django_user_model) -> None:
    superuser = django_user_model.objects.create_superuser("root@example.org", "root@example.org", "pw-secret-123")
    client.force_login(superuser)
    for model in admin.site._registry:
        if model._meta.app_label in {"pace_hub", "measures", "aims", "pdsa"}:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert client.get(url).status_code == 200, url


def test_history_still_opens_once_a_user_account_is_deleted(cast, admin_client) -> None:
    member = cast.members[Role.MEMBER]
    admin_client.post(
        f"/o/{cast.org.slug}/team/members/{member.code}/edit/",
        {"role": Role.VIEWER, "job_title": "Reviewing officer", "qi_skill": "none"},
    )
    AgencyFactory(organisation=cast.org, name="Agency made by the deleted person")
    member.user.delete()
    response = admin_client.get(f"/o/{cast.org.slug}/history/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "refers to something since deleted" in page  # the membership whose account went
    assert "Membership" in page


def test_changes_by_a_deleted_account_say_so(cast, admin_client) -> None:
    lead = cast.members[Role.LEAD]
    cast.client(Role.LEAD).post(
        f"/o/{cast.org.slug}/team/agencies/new/", {"name": "SCRA North", "kind": "scra", "relationship": "working"}
    )
    lead.user.delete()
    created = next(change for change in recent_changes(cast.org) if change.object == "SCRA North")
    assert created.who == "system or a deleted account"
    assert admin_client.get(f"/o/{cast.org.slug}/history/").status_code == 200
