from django.apps import AppConfig


class PaceHubConfig(AppConfig):
    name = "pace_hub"
    verbose_name = "PACE Hub"
    default_auto_field = "django.db.models.BigAutoField"
