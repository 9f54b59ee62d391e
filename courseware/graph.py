"""The prerequisite graph of topics: validation, order and derived relations (no Django)."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

_LAYER = re.compile(r"^(\d{1,2})([A-Z]?)$")


class GraphError(ValueError):
    """A problem with the graph: `slug` is the topic it is reported against, `target` the topic it
    names in that topic's `field` ("prerequisites" or "next_topics"), `cycle` the cycle if any."""

    def __init__(self, slug: str, message: str, *, cycle: tuple[str, ...] = (), target: str = "", field: str = ""):
        super().__init__(message)
        self.slug, self.message, self.cycle, self.target, self.field = slug, message, cycle, target, field


@dataclass(frozen=True)
class TopicNode:
    slug: str
    layer: str
    prerequisites: tuple[str, ...] = ()
    next_topics: tuple[str, ...] = ()


def is_layer(layer: str) -> bool:
    return bool(_LAYER.match(layer))


def layer_key(layer: str) -> tuple[int, str]:
    """Sort key: 0A < 0B < 1 < 2 < 10."""
    match = _LAYER.match(layer)
    if not match:
        raise ValueError(f"not a layer: {layer!r}")
    return int(match.group(1)), match.group(2)


def layer_rank(layer: str) -> int:
    """`layer_key` as one integer, as stored on each topic and sent to the topic map."""
    major, letter = layer_key(layer)
    return major * 100 + (ord(letter) - 64 if letter else 0)


def to_digraph(nodes: Iterable[TopicNode]) -> nx.DiGraph:
    """Edges point from a prerequisite to the topic that needs it."""
    graph = nx.DiGraph()
    for node in nodes:
        graph.add_node(node.slug, layer=node.layer)
    for node in nodes:
        for prerequisite in node.prerequisites:
            graph.add_edge(prerequisite, node.slug)
    return graph


def find_cycle(nodes: Iterable[TopicNode]) -> tuple[str, ...] | None:
    """A prerequisite cycle as a closed walk (a, b, ..., a), or None."""
    try:
        edges = nx.find_cycle(to_digraph(list(nodes)))
    except nx.NetworkXNoCycle:
        return None
    walk = [edge[0] for edge in edges]
    return (*walk, walk[0])


def validate(nodes: Mapping[str, TopicNode]) -> list[GraphError]:
    """Unknown references, layer inversions and cycles, in a stable order."""
    errors: list[GraphError] = []
    for node in nodes.values():
        if not is_layer(node.layer):
            errors.append(GraphError(node.slug, f'layer "{node.layer}" is not a layer such as 0A, 0B, 1, 2'))
            continue
        for field, targets in (("prerequisites", node.prerequisites), ("next_topics", node.next_topics)):
            label = "prerequisite" if field == "prerequisites" else "next topic"
            for target in targets:
                if target == node.slug:
                    message = f'topic "{node.slug}" names itself as a {label}'
                    errors.append(GraphError(node.slug, message, target=target, field=field))
                elif target not in nodes:
                    errors.append(GraphError(node.slug, f'unknown {label} "{target}"', target=target, field=field))
        for prerequisite in node.prerequisites:
            other = nodes.get(prerequisite)
            if other and is_layer(other.layer) and layer_key(other.layer) > layer_key(node.layer):
                errors.append(
                    GraphError(
                        node.slug,
                        f'prerequisite "{prerequisite}" is in layer {other.layer}, '
                        f"above this topic's layer {node.layer}",
                        target=prerequisite,
                        field="prerequisites",
                    )
                )
    known = [
        TopicNode(n.slug, n.layer, tuple(p for p in n.prerequisites if p in nodes and p != n.slug))
        for n in nodes.values()
    ]
    cycle = find_cycle(known)
    if cycle:
        errors.append(GraphError(cycle[0], "prerequisite cycle: " + " -> ".join(cycle), cycle=cycle))
    return errors


def dependents(nodes: Mapping[str, TopicNode]) -> dict[str, list[str]]:
    """For each topic, the topics that list it as a prerequisite ("builds on this")."""
    result: dict[str, list[str]] = {slug: [] for slug in nodes}
    for node in nodes.values():
        for prerequisite in node.prerequisites:
            if prerequisite in result:
                result[prerequisite].append(node.slug)
    return {slug: sorted(children) for slug, children in result.items()}


def study_order(nodes: Mapping[str, TopicNode]) -> list[str]:
    """Topics in an order that respects prerequisites, by layer then slug where free."""
    graph = to_digraph(list(nodes.values()))
    return list(nx.lexicographical_topological_sort(graph, key=lambda s: (layer_key(nodes[s].layer), s)))
