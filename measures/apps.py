from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The chart cache's invalidation signals (a new version stamp on every write).
        from measures import chart_cache  # noqa: F401
