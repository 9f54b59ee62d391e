"""Students join a cohort with the code or link its instructor shares; instructors rotate or close it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from instructors import enrolment
from instructors.decorators import cohort_instructor_required


@login_required
def join(request, code: str = ""):
    """GET shows the class the code belongs to (or asks for a code); POST joins it."""
    code = request.POST.get("code", code).strip()
    cohort = enrolment.cohort_by_join_code(code) if code else None
    if request.method == "POST":
        try:
            cohort = enrolment.cohort_join(user=request.user, code=code)
        except enrolment.JoinRefused as exc:
            messages.error(request, str(exc))
            return render(request, "instructors/join.html", {"code": code, "cohort": None}, status=400)
        messages.success(request, f"You have joined {cohort.name}. Your instructors now see your progress.")
        return redirect("courseware:dashboard")
    joinable = cohort if cohort is not None and cohort.join_open else None
    already = joinable is not None and joinable.students.filter(pk=request.user.pk).exists()
    status = 404 if code and joinable is None else 200
    context = {"code": code, "cohort": joinable, "already": already, "unknown": status == 404}
    return render(request, "instructors/join.html", context, status=status)


@require_POST
@cohort_instructor_required
def manage_join_code(request, cohort):
    action = request.POST.get("action")
    if action == "rotate":
        enrolment.cohort_rotate_join_code(cohort)
        messages.success(request, "New join code: links with the old one no longer work.")
    elif action in ("open", "close"):
        enrolment.cohort_set_join_open(cohort, action == "open")
        messages.success(request, "Joining is open." if action == "open" else "Joining is closed.")
    return redirect("instructors:cohort", cohort.slug)
