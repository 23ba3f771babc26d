from django.apps import AppConfig


class PDSAConfig(AppConfig):
    name = "pdsa"
    default_auto_field = "django.db.models.BigAutoField"
