from django.shortcuts import render

from courseware import selectors
from courseware.rendering import render_markdown


def index(request):
    return render(request, "courseware/index.html", {"layers": selectors.topics_by_layer()})


def topic(request, slug):
    topic = selectors.topic_with_relations(slug)
    parts = [
        {"kind": "markdown", "html": render_markdown(value)} if kind == "markdown" else {"kind": "exercise", "exercise": value}
        for kind, value in selectors.body_parts(topic)
    ]
    context = {
        "topic": topic,
        "parts": parts,
        "prerequisites": [link.prerequisite for link in topic.prerequisite_links.all()],
        "next_topics": [link.next_topic for link in topic.next_links.all()],
        "dependents": sorted((link.topic for link in topic.dependent_links.all()), key=lambda t: (t.layer_rank, t.title)),
    }
    return render(request, "courseware/topic.html", context)
