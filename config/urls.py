from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from grading.api import api
from instructors.joining import join

urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("join/", join, name="join"),
    path("join/<str:code>/", join, name="join-cohort"),
    path("instructors/", include("instructors.urls")),
    path("", include("courseware.urls")),
]
