from django.apps import AppConfig


class PaceHubConfig(AppConfig):
    name = "pace_hub"
    verbose_name = "PACE Hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from pace_hub.sessions import mark_active

        user_logged_in.connect(mark_active, dispatch_uid="pace_hub.sessions.mark_active")
