from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from grading.api import api

urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("instructors/", include("instructors.urls")),
    path("", include("courseware.urls")),
]
