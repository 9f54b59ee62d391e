from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_instructors_group(**kwargs):
    from instructors.accounts import ensure_instructors_group

    ensure_instructors_group()


class InstructorsConfig(AppConfig):
    name = "instructors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Last in INSTALLED_APPS: every app's permissions exist by the time this runs.
        post_migrate.connect(_sync_instructors_group, sender=self)
