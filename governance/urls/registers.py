"""Register URLs, under /o/<org>/team/registers/: distributed leadership, QI skills and data
responsibility (see governance/urls/__init__.py)."""

from django.urls import path

from governance.views import registers as views

urlpatterns = [
    path("leadership/", views.leadership_register, name="leadership_register"),
    path("qi-skills/", views.qi_skills_register, name="qi_skills_register"),
    path("qi-skills/mine/", views.qi_skills_mine, name="qi_skills_mine"),
    path("qi-skills/<uuid:member>/edit/", views.qi_skills_edit, name="qi_skills_edit"),
    path("data/", views.data_register, name="data_register"),
    path("data/edit/", views.data_register_edit, name="data_register_edit"),
]
