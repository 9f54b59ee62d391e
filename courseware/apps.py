from django.apps import AppConfig


class CoursewareConfig(AppConfig):
    name = "courseware"
    default_auto_field = "django.db.models.BigAutoField"
