"""The site's root (outside /o/<org>/): where signing in lands. Here rather than in pace_hub
because the chooser tells each organisation apart by its aims, uploads and meetings, which
governance reads and pace_hub may not import."""

from django.urls import path

from governance.views import home

urlpatterns = [path("", home.root, name="home")]
