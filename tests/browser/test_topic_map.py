"""The shared topic map stays readable at 100 topics: layered by ELK, no two boxes overlap, titles fit."""

import random

import pytest

from courseware.graph import layer_rank

pytestmark = pytest.mark.browser
LAYERS = ["0A", "0B", "1", "2", "3", "4", "5", "6"]
LEVELS = ["not-started", "attempted", "familiar", "proficient", "mastered"]


def synthetic_graph(n: int = 100, seed: int = 7) -> dict:
    rng = random.Random(seed)
    nodes, edges = [], []
    for i in range(n):
        layer = LAYERS[min(i * len(LAYERS) // n, len(LAYERS) - 1)]
        node = {
            "id": f"topic-{i}",
            "title": f"Topic {i}: " + " ".join(rng.choice(["spectral", "stochastic", "convex", "kernel", "matrix",
                                                           "Bayesian", "gradient", "entropy"]) for _ in range(4)),
            "layer": layer,
            "layer_rank": layer_rank(layer),
            "url": f"/topics/topic-{i}/",
            "review": ["Topic 0"] if rng.random() < 0.2 else [],
            "recommended": i == 42,
        }  # fmt: skip
        if i % 5 == 0:
            shares = [rng.random() for _ in LEVELS]
            node["shares"] = {level: s / sum(shares) for level, s in zip(LEVELS, shares)}
        else:
            node["level"] = rng.choice(LEVELS)
        nodes.append(node)
        earlier = [m["id"] for m in nodes if LAYERS.index(m["layer"]) < LAYERS.index(layer)]
        for prerequisite in rng.sample(earlier, min(len(earlier), rng.randint(1, 3))):
            edges.append([prerequisite, node["id"]])
    return {"nodes": nodes, "edges": edges, "legend": True}


MEASURE = """async (data) => {
  const holder = document.createElement("div");
  holder.className = "topic-map";
  holder.id = "synthetic";
  document.querySelector("main").appendChild(holder);
  await window.TopicMap.render(holder, data);
  const boxes = [...holder.querySelectorAll(".tm-node")].map((node) => {
    const b = node.querySelector(".tm-box").getBBox();
    const title = node.querySelector(".tm-title");
    return {id: node.dataset.id, x: b.x, y: b.y, w: b.width, h: b.height,
            titleEnd: title.getBBox().x + title.getComputedTextLength(),
            tooltip: node.querySelector("title").textContent};
  });
  return {boxes, edges: holder.querySelectorAll(".tm-edge").length};
}"""


def test_a_hundred_topics_are_laid_out_without_overlaps(page, live_server, db, shoot):
    data = synthetic_graph()
    page.goto("/map/")
    page.wait_for_function("!!(window.TopicMap && window.ELK)")
    result = page.evaluate(MEASURE, data)
    boxes = result["boxes"]
    assert len(boxes) == 100 and result["edges"] == len(data["edges"])
    for i, a in enumerate(boxes):
        assert a["titleEnd"] <= a["x"] + a["w"], f"{a['id']}: title overflows its box"
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or (b["y"] + b["h"] <= a["y"])
            )
            assert apart, f"{a['id']} overlaps {b['id']}"
    # Layers run left to right in order; full titles stay available as tooltips.
    by_id = {b["id"]: b for b in boxes}
    for earlier, later in zip(LAYERS, LAYERS[1:]):
        right_edge = max(by_id[n["id"]]["x"] + by_id[n["id"]]["w"] for n in data["nodes"] if n["layer"] == earlier)
        left_edge = min(by_id[n["id"]]["x"] for n in data["nodes"] if n["layer"] == later)
        assert right_edge < left_edge, f"layer {earlier} is not left of layer {later}"
    assert all(by_id[n["id"]]["tooltip"].startswith(n["title"]) for n in data["nodes"])
    assert page.locator("#synthetic .tm-node.recommended .tm-halo").count() == 1
    assert page.locator("#synthetic .tm-node.review .tm-notice").count() == sum(
        bool(n["review"]) for n in data["nodes"]
    )
    assert page.locator("#synthetic .tm-share").count() > 0
    shoot(page, "10-map-100-topics", page.locator("#synthetic"))


def test_clicking_a_topic_on_the_map_opens_it(page, live_server, lesson_content, shoot):
    page.goto("/map/")
    page.wait_for_selector(".topic-map[data-rendered]")
    assert page.locator(".tm-node").count() == len(lesson_content)
    assert page.locator(".tm-node.no-level").count() == len(lesson_content)  # anonymous: no mastery shown
    shoot(page, "11-map-anonymous")
    page.click('.tm-node[data-id="differentiation-in-rn"]')
    page.wait_for_url("**/topics/differentiation-in-rn/")


def test_the_map_has_a_keyboard_path_and_a_text_alternative(page, live_server, lesson_content):
    page.goto("/map/")
    page.wait_for_selector(".topic-map[data-rendered]")
    for _ in range(40):  # Tab through the page until a topic on the map has the focus
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('data-id')")
        if focused:
            break
    assert focused in {doc.slug for doc in lesson_content}
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/topics/{focused}/")
    page.goto("/map/")
    listed = page.locator("#map-as-text li a")
    assert listed.count() == len(lesson_content)
    assert "Layer 0A" in page.locator("#map-as-text").inner_text()
