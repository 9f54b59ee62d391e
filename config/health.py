"""Health checks for load balancers and compose: the site is up only when it can serve pages."""

import logging

from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def healthz(request):
    """200 when the database answers and a real page renders (templates, static manifest); 503 otherwise.

    A page renders its asset URLs through the static files storage: without `collectstatic`'s manifest
    every HTML page would answer 500 while a database-only check stayed green.
    """
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        problems.append(f"database: {exc.__class__.__name__}")
    try:
        render_to_string("registration/login.html", {"form": AuthenticationForm(), "next": ""})
    except Exception as exc:
        problems.append(f"pages: {exc.__class__.__name__}: {exc}")
    if problems:
        logger.error("health check failed: %s", "; ".join(problems))
        return HttpResponse("unavailable\n" + "\n".join(problems), status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
