"""Dashboard URLs (see governance/urls/__init__.py)."""

urlpatterns: list = []
