from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        # Load the engine (SymPy, no JAX) at start-up, not during a student's first request;
        # a Celery parent that forks after this shares it with its children.
        import grading.core  # noqa: F401
        from courseware.models import Exercise
        from grading import progress_table
        from grading.models import Submission

        # Every way a submission can go (a cascade, a queryset delete, the shell) keeps progress exact,
        # and so does every save of an exercise that moves it or takes it out of (or back into) use.
        post_delete.connect(progress_table.on_submission_deleted, sender=Submission, dispatch_uid="progress-submission")
        pre_save.connect(progress_table.on_exercise_saving, sender=Exercise, dispatch_uid="progress-exercise-before")
        post_save.connect(progress_table.on_exercise_saved, sender=Exercise, dispatch_uid="progress-exercise-after")

        from grading import credentials

        credentials.connect()
