from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Load the engine (SymPy, no JAX) at start-up, not during a student's first request;
        # a Celery parent that forks after this shares it with its children.
        from django.db.models.signals import post_delete

        import grading.core  # noqa: F401
        from grading.models import Submission
        from grading.progress import on_submission_deleted

        # Every way a submission can go (a cascade, a queryset delete, the shell) keeps progress exact.
        post_delete.connect(on_submission_deleted, sender=Submission, dispatch_uid="grading.progress.deleted")
