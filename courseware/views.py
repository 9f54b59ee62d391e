from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from courseware import progress, selectors
from courseware.forms import SignupForm
from courseware.mastery import Level
from courseware.rendering import fill_parameters, render_markdown
from grading.variants import student_seed, variant

UNDER_WAY = (Level.ATTEMPTED, Level.FAMILIAR)


def index(request):
    mine = progress.student_progress(request.user).by_slug() if request.user.is_authenticated else {}
    layers = [(layer, [(t, mine.get(t.slug)) for t in topics]) for layer, topics in selectors.topics_by_layer()]
    return render(request, "courseware/index.html", {"layers": layers})


def _student_variant(request, exercise):
    return variant(exercise, student_seed(request.user.pk or 0, exercise))


def _solution_html(exercise, mine, state: progress.ExerciseProgress) -> str:
    """The worked solution in the student's own values (`{{answer}}` is their reference), once earned."""
    if not state.solution_shown:
        return ""
    return render_markdown(fill_parameters(exercise.solution, {**mine.context, "answer": mine.reference_latex}))


def _exercise_part(request, exercise, state: progress.ExerciseProgress) -> dict:
    """The exercise as this student sees it: their own variant's values in the prompt, their attempts."""
    mine = _student_variant(request, exercise)
    return {
        "kind": "exercise",
        "exercise": exercise,
        "prompt_html": render_markdown(fill_parameters(exercise.prompt, mine.context)),
        "state": state,
        "solution_html": _solution_html(exercise, mine, state),
    }


def topic(request, slug):
    topic = selectors.topic_with_relations(slug)
    states = progress.exercise_progress(user=request.user, exercises=list(topic.exercises.all()))
    parts = [
        {"kind": "markdown", "html": render_markdown(value)}
        if kind == "markdown"
        else _exercise_part(request, value, states[value.pk])
        for kind, value in selectors.body_parts(topic)
    ]
    context = {
        "topic": topic,
        "parts": parts,
        "mine": progress.student_progress(request.user).by_slug()[slug] if request.user.is_authenticated else None,
        "prerequisites": [link.prerequisite for link in topic.prerequisite_links.all()],
        "next_topics": [link.next_topic for link in topic.next_links.all()],
        "dependents": sorted(
            (link.topic for link in topic.dependent_links.all()), key=lambda t: (t.layer_rank, t.title)
        ),
    }
    return render(request, "courseware/topic.html", context)


@login_required
def exercise_panel(request, slug, exercise_slug):
    """The student's attempts, attempts left and (once earned) the worked solution: refreshed after a verdict."""
    exercise = selectors.live_exercise(slug, exercise_slug)
    state = progress.exercise_progress(user=request.user, exercises=[exercise])[exercise.pk]
    solution_html = _solution_html(exercise, _student_variant(request, exercise), state)
    return render(
        request,
        "courseware/exercise_progress.html",
        {"exercise": exercise, "state": state, "solution_html": solution_html},
    )


def topic_map(request):
    data = progress.map_data(progress.student_progress(request.user))
    return render(request, "courseware/map.html", {"map": data})


@login_required
def dashboard(request):
    mine = progress.student_progress(request.user)
    next_up = mine.recommended
    context = {
        "progress": mine,
        "next_up": next_up,
        "next_exercise": progress.next_exercise(user=request.user, topic=next_up.topic) if next_up else None,
        "in_progress": [t for t in mine.topics if t.level in UNDER_WAY and not t.recommended],
        "recent": progress.recent_submissions(user=request.user),
        "map": progress.map_data(mine),
    }
    return render(request, "courseware/dashboard.html", context)


def signup(request):
    """Create an account and log straight in."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or "courseware:dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}! Pick a topic to start with.")
        return redirect(next_url or "courseware:dashboard")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})
