import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage, is_ratelimited

from courseware import selectors
from courseware.forms import SignupForm
from courseware.login_security import client_key
from courseware.mastery import Level
from courseware.rendering import fill_parameters, render_markdown
from grading import progress
from grading import selectors as grading_selectors
from grading import services as grading_services
from grading.engine import student_seed, variant

logger = logging.getLogger(__name__)
UNDER_WAY = (Level.ATTEMPTED, Level.FAMILIAR)
VERDICT_WAIT_S = 10  # how long the answer page (without JavaScript) waits for the verdict before it shows "grading"


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
        "has_figures": "```plot" in topic.body,
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


def _over_submission_rate(request) -> bool:
    """The API's per-user limit on answers (the same counter in the shared cache); open when the cache is down."""
    try:
        usage = get_usage(
            request, group="submissions", key=lambda group, req: str(req.user.pk), rate=settings.SUBMISSION_RATE,
            increment=True,
        )  # fmt: skip
    except Exception:
        logger.warning("rate limit not checked: the cache is unreachable", exc_info=True)
        return False
    return bool(usage and usage["should_limit"])


@require_POST
@login_required
def answer(request, slug, exercise_slug):
    """The answer box without JavaScript: a plain form post, then the verdict page (post/redirect/get)."""
    exercise = selectors.live_exercise(slug, exercise_slug)
    back = f"{exercise.topic.get_absolute_url()}#exercise-{exercise.slug}"
    text = request.POST.get("answer", "")
    if not text.strip():
        messages.error(request, f"{exercise.title}: type an answer first.")
        return redirect(back)
    if len(text) > settings.SUBMISSION_MAX_LENGTH:
        messages.error(request, f"{exercise.title}: the answer is too long to read.")
        return redirect(back)
    if _over_submission_rate(request):
        messages.error(request, "Too many answers in a short time: wait a minute and send it again.")
        return redirect(back)
    try:
        done = grading_services.submission_submit(user=request.user, exercise=exercise, answer=text)
    except grading_services.SubmissionRefused as exc:
        messages.error(request, f"{exercise.title}: {exc}")
        return redirect(back)
    return redirect("courseware:answer-verdict", slug, exercise_slug, done.submission.pk)


@login_required
def answer_verdict(request, slug, exercise_slug, submission_id):
    """One of the student's own answers with its verdict, the exercise and their attempts; refreshes itself
    while the answer is being graded."""
    exercise = selectors.live_exercise(slug, exercise_slug)
    submission = grading_selectors.submission_wait_final(
        user=request.user, submission_id=submission_id, timeout=VERDICT_WAIT_S
    )
    if submission is None or submission.exercise_id != exercise.pk:
        raise Http404("No such answer.")
    state = progress.exercise_progress(user=request.user, exercises=[exercise])[exercise.pk]
    context = {"topic": exercise.topic, "submission": submission, **_exercise_part(request, exercise, state)}
    return render(request, "courseware/answer_verdict.html", context)


def topic_map(request):
    """The map, and the same graph as text: topics by layer, each with its state and what it needs."""
    mine = progress.student_progress(request.user)
    titles = {t.topic.slug: t.topic.title for t in mine.topics}
    layers: dict[str, list] = {}
    for item in mine.topics:
        needs = [titles[p] for p in mine.prerequisites.get(item.topic.slug, ()) if p in titles]
        layers.setdefault(item.topic.layer, []).append((item, needs))
    by_layer = sorted(layers.items(), key=lambda kv: kv[1][0][0].topic.layer_rank)
    return render(
        request, "courseware/map.html", {"map": progress.map_data(mine), "progress": mine, "layers": by_layer}
    )


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
    if request.method == "POST" and _signup_throttled(request):
        messages.error(request, "Too many new accounts from this device just now. Please try again in an hour.")
        return render(request, "registration/signup.html", {"form": form, "next": next_url}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}! Pick a topic to start with.")
        return redirect(next_url or "courseware:dashboard")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


def _signup_throttled(request) -> bool:
    """Each sign-up attempt counts, per client; fails open (logged by the cache) if the cache is down."""
    try:
        return is_ratelimited(request, group="signup", key=client_key, rate=settings.SIGNUP_RATE, increment=True)
    except Exception:
        logger.warning("sign-up rate not checked: the cache is unreachable", exc_info=True)
        return False
