from django.contrib import admin
from django.db import connection
from django.http import HttpResponse
from django.urls import include, path

from grading.api import api


def healthz(request):
    """Liveness for load balancers and compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("instructors/", include("instructors.urls")),
    path("", include("courseware.urls")),
]
