from django.shortcuts import render

from courseware import selectors
from courseware.rendering import fill_parameters, render_markdown
from grading.variants import variant, variant_seed


def index(request):
    return render(request, "courseware/index.html", {"layers": selectors.topics_by_layer()})


def _exercise_part(request, exercise) -> dict:
    """The exercise as this student sees it: their own variant's values in the prompt."""
    seed = variant_seed(request.user.pk or 0, exercise.key)
    values = variant(exercise, seed).context
    return {
        "kind": "exercise",
        "exercise": exercise,
        "prompt_html": render_markdown(fill_parameters(exercise.prompt, values)),
    }


def topic(request, slug):
    topic = selectors.topic_with_relations(slug)
    parts = [
        {"kind": "markdown", "html": render_markdown(value)} if kind == "markdown" else _exercise_part(request, value)
        for kind, value in selectors.body_parts(topic)
    ]
    context = {
        "topic": topic,
        "parts": parts,
        "prerequisites": [link.prerequisite for link in topic.prerequisite_links.all()],
        "next_topics": [link.next_topic for link in topic.next_links.all()],
        "dependents": sorted(
            (link.topic for link in topic.dependent_links.all()), key=lambda t: (t.layer_rank, t.title)
        ),
    }
    return render(request, "courseware/topic.html", context)
