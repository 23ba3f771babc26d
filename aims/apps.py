from django.apps import AppConfig


class AimsConfig(AppConfig):
    name = "aims"
    default_auto_field = "django.db.models.BigAutoField"
