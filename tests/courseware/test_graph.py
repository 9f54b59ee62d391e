import pytest

from courseware.graph import TopicNode, dependents, find_cycle, layer_key, layer_rank, study_order, validate


def nodes(*items):
    return {n.slug: n for n in items}


@pytest.mark.parametrize(("lower", "higher"), [("0A", "0B"), ("0B", "1"), ("1", "2"), ("2", "10"), ("0A", "1")])
def test_layers_sort_foundations_first(lower, higher):
    assert layer_key(lower) < layer_key(higher)


def test_a_valid_graph_has_no_errors():
    graph = nodes(
        TopicNode("a", "0A"),
        TopicNode("b", "0B", ("a",)),
        TopicNode("c", "1", ("a", "b"), ("d",)),
        TopicNode("d", "2", ("c",)),
    )
    assert validate(graph) == []
    assert study_order(graph) == ["a", "b", "c", "d"]
    assert dependents(graph) == {"a": ["b", "c"], "b": ["c"], "c": ["d"], "d": []}


def test_it_names_an_unknown_prerequisite_and_next_topic():
    errors = validate(nodes(TopicNode("a", "1", ("ghost",), ("nowhere",))))
    assert [e.message for e in errors] == ['unknown prerequisite "ghost"', 'unknown next topic "nowhere"']
    assert all(e.slug == "a" for e in errors)


def test_it_names_the_cycle():
    graph = nodes(TopicNode("a", "1", ("c",)), TopicNode("b", "1", ("a",)), TopicNode("c", "1", ("b",)))
    errors = validate(graph)
    assert len(errors) == 1
    cycle = errors[0].cycle
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"}
    assert "prerequisite cycle: " in errors[0].message and " -> ".join(cycle) in errors[0].message


def test_a_self_loop_is_refused():
    errors = validate(nodes(TopicNode("a", "1", ("a",))))
    assert errors and "names itself" in errors[0].message


def test_a_prerequisite_above_the_topics_layer_is_refused():
    errors = validate(nodes(TopicNode("basic", "2"), TopicNode("advanced", "0A", ("basic",))))
    assert errors[0].slug == "advanced" and "layer 2" in errors[0].message


def test_find_cycle_on_an_acyclic_graph():
    assert find_cycle([TopicNode("a", "1"), TopicNode("b", "1", ("a",))]) is None


def test_one_layer_order_for_sorting_storing_and_the_map():
    layers = ["10", "0B", "2", "1", "0A"]
    assert sorted(layers, key=layer_key) == ["0A", "0B", "1", "2", "10"]
    assert sorted(layers, key=layer_rank) == sorted(layers, key=layer_key)
