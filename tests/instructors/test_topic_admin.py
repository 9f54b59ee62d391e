"""Topics in the admin: front matter and body, prerequisites inline, graph checks, preview, export."""

import io
import zipfile

import pytest

from courseware.content import check_documents, import_documents
from courseware.documents import parse_document
from courseware.models import Topic

pytestmark = pytest.mark.django_db


def topic_form(**overrides):
    data = {
        "title": "Chain rule",
        "slug": "chain-rule",
        "layer": "2",
        "summary": "Derivatives of compositions.",
        "last_reviewed": "",
        "references_canonical": "Spivak, Calculus\nRudin",
        "references_current": "",
        "body": "The chain rule: $(f \\circ g)' = (f' \\circ g) g'$.\n",
        "prerequisite_links-TOTAL_FORMS": "0",
        "prerequisite_links-INITIAL_FORMS": "0",
        "next_links-TOTAL_FORMS": "0",
        "next_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def prerequisites(*topics, initial=0, link_ids=()):
    data = {"prerequisite_links-TOTAL_FORMS": str(len(topics)), "prerequisite_links-INITIAL_FORMS": str(initial)}
    for i, topic in enumerate(topics):
        data[f"prerequisite_links-{i}-prerequisite"] = str(topic.pk)
        data[f"prerequisite_links-{i}-position"] = str(i)
        if i < len(link_ids):
            data[f"prerequisite_links-{i}-id"] = str(link_ids[i])
    return data


def errors_of(response) -> str:
    return response.content.decode()


def test_an_instructor_creates_a_topic_with_a_prerequisite(instructor_client, course):
    response = instructor_client.post("/admin/courseware/topic/add/", topic_form(**prerequisites(course["calculus"])))
    assert response.status_code == 302, errors_of(response)[:3000]
    topic = Topic.objects.get(slug="chain-rule")
    assert [link.prerequisite.slug for link in topic.prerequisite_links.all()] == ["calculus"]
    assert topic.references_canonical == ["Spivak, Calculus", "Rudin"]
    assert topic.layer_rank == 200


def test_a_prerequisite_cycle_is_refused_naming_it(instructor_client, course):
    basics, calculus = course["basics"], course["calculus"]
    basics.layer = "1"
    basics.save()
    data = topic_form(slug="basics", title="Basics", layer="1", body="Intro.\n", **prerequisites(calculus))
    response = instructor_client.post(f"/admin/courseware/topic/{basics.pk}/change/", data)
    assert response.status_code == 200
    assert "prerequisite cycle: basics -&gt; calculus -&gt; basics" in errors_of(response) or (
        "prerequisite cycle: calculus -&gt; basics -&gt; calculus" in errors_of(response)
    )
    assert not basics.prerequisite_links.exists()


def test_a_prerequisite_in_a_higher_layer_is_refused(instructor_client, course):
    data = topic_form(layer="0B", **prerequisites(course["calculus"]))
    response = instructor_client.post("/admin/courseware/topic/add/", data)
    assert response.status_code == 200
    assert "prerequisite &quot;calculus&quot; is in layer 1, above this topic&#x27;s layer 0B" in errors_of(response)
    assert not Topic.objects.filter(slug="chain-rule").exists()


def test_raising_a_topics_layer_above_a_dependent_is_refused(instructor_client, course):
    basics = course["basics"]
    data = topic_form(slug="basics", title="Basics", layer="3", body="Intro.\n")
    response = instructor_client.post(f"/admin/courseware/topic/{basics.pk}/change/", data)
    assert response.status_code == 200
    assert "calculus: prerequisite &quot;basics&quot; is in layer 3" in errors_of(response)


def test_a_topic_cannot_be_its_own_prerequisite(instructor_client, course):
    calculus = course["calculus"]
    data = topic_form(slug="calculus", title="Calculus", layer="1", **prerequisites(calculus))
    response = instructor_client.post(f"/admin/courseware/topic/{calculus.pk}/change/", data)
    assert response.status_code == 200
    assert "names itself as a prerequisite" in errors_of(response)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Chain_Rule", "Lowercase letters, digits and single dashes"),
        ("layer", "second", "is not a layer such as 0A, 0B, 1, 2"),
        ("body", "::: theorem\nno title\n:::\n", "needs a title"),
        ("body", "::: exercise Inline\nCompute.\n:::\n", "add exercises as Exercises"),
    ],
)
def test_front_matter_and_body_are_checked_as_the_import_checks_them(instructor_client, field, value, message):
    response = instructor_client.post("/admin/courseware/topic/add/", topic_form(**{field: value}))
    assert response.status_code == 200
    assert message in errors_of(response)


def test_the_change_form_shows_a_rendered_preview_and_the_place_in_the_graph(instructor_client, course):
    page = instructor_client.get(f"/admin/courseware/topic/{course['calculus'].pk}/change/").content.decode()
    assert 'id="topic-preview"' in page
    assert '<span class="math inline">f(x) = x^2</span>' in page
    assert "block-exercise" in page and "Derivative" in page  # the exercise slots, with their titles
    assert "js/instructors/topic-preview.js" in page and "vendor/katex/katex.min.js" in page
    assert "Builds on this" in page and "Basics" in page


def test_the_preview_endpoint_renders_like_the_lesson_page(instructor_client, client, users):
    response = instructor_client.post(
        "/admin/courseware/topic/preview/", {"body": "::: definition Norm\n$\\|x\\|$ <script>x</script>\n:::\n"}
    )
    html = response.json()["html"]
    assert 'class="block block-definition"' in html and 'class="math inline"' in html
    assert "<script>" not in html
    assert instructor_client.get("/admin/courseware/topic/preview/").status_code == 405
    client.force_login(users["student"])
    assert client.post("/admin/courseware/topic/preview/", {"body": "x"}).status_code == 302


def test_export_writes_the_documents_import_content_reads(instructor_client, course):
    response = instructor_client.get(f"/admin/courseware/topic/{course['calculus'].pk}/export/")
    assert response["Content-Disposition"] == 'attachment; filename="calculus.md"'
    doc = parse_document(response.content.decode(), "calculus.md")
    assert doc.prerequisites == ("basics",)
    assert [e.slug for e in doc.exercises] == ["derivative", "gradient"]
    assert check_documents([doc]) == []
    assert import_documents([doc]).unchanged == ["calculus"]  # the same topic, nothing to change


def test_export_of_several_topics_is_a_zip_of_documents(instructor_client, course):
    ids = [course["basics"].pk, course["calculus"].pk]
    response = instructor_client.post(
        "/admin/courseware/topic/", {"action": "export_documents", "_selected_action": ids}
    )
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["content/basics.md", "content/calculus.md"]
    everything = instructor_client.get("/admin/courseware/topic/export/")
    assert zipfile.ZipFile(io.BytesIO(everything.content)).namelist() == names


def test_a_topic_edited_in_the_admin_round_trips_through_its_document(instructor_client, course):
    data = topic_form(**prerequisites(course["calculus"]))
    data["body"] = "::: definition Chain rule\n$(f \\circ g)'(x) = f'(g(x))\\, g'(x)$\n:::\n"
    instructor_client.post("/admin/courseware/topic/add/", data)
    topic = Topic.objects.get(slug="chain-rule")
    text = instructor_client.get(f"/admin/courseware/topic/{topic.pk}/export/").content.decode()
    doc = parse_document(text, "chain-rule.md")
    assert import_documents([doc]).unchanged == ["chain-rule"]
