from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Load the engine (SymPy, no JAX) at start-up, not during a student's first request;
        # a Celery parent that forks after this shares it with its children.
        import grading.core  # noqa: F401
        from grading import credentials

        credentials.connect()
