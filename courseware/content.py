"""Import topic documents into the database and export them back, all or nothing."""

from dataclasses import dataclass, field, replace
from pathlib import Path

from django.db import transaction

from courseware import graph
from courseware.documents import DocumentError, ExerciseBlock, TopicDocument, parse_document, write_document
from courseware.exercise_check import check_exercise, check_groups
from courseware.models import Exercise, NextTopic, Topic, TopicPrerequisite
from courseware.selectors import topic_graph


class ContentError(Exception):
    """One or more documents were refused; nothing was written."""

    def __init__(self, errors: list[DocumentError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    exercises_retired: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.exercises_retired)


def read_directory(directory: Path) -> list[TopicDocument]:
    """Parse every `*.md` topic document under `directory` (README.md files are skipped)."""
    paths = sorted(p for p in Path(directory).rglob("*.md") if p.name.lower() != "readme.md")
    if not paths:
        raise ContentError([DocumentError(str(directory), None, "no topic documents (*.md) found")])
    documents, errors = [], []
    for path in paths:
        try:
            doc = parse_document(path.read_text(encoding="utf-8"), str(path))
        except DocumentError as exc:
            errors.append(exc)
        except UnicodeDecodeError:
            errors.append(DocumentError(str(path), None, "the file is not UTF-8 text"))
        else:
            if path.stem != doc.slug:
                errors.append(
                    DocumentError(
                        str(path), doc.line_of("slug"), f'the file of topic "{doc.slug}" must be named {doc.slug}.md'
                    )
                )
            documents.append(doc)
    seen: dict[str, TopicDocument] = {}
    for doc in documents:
        if doc.slug in seen:
            errors.append(
                DocumentError(
                    doc.path, doc.line_of("slug"), f'topic "{doc.slug}" is also defined in {seen[doc.slug].path}'
                )
            )
        seen[doc.slug] = doc
    if errors:
        raise ContentError(errors)
    return documents


def check_documents(documents: list[TopicDocument]) -> list[DocumentError]:
    """Graph and exercise problems, against the topics already stored as well."""
    docs = {doc.slug: doc for doc in documents}
    nodes = {slug: node for slug, node in topic_graph().nodes().items() if slug not in docs}
    nodes.update({d.slug: graph.TopicNode(d.slug, d.layer, d.prerequisites, d.next_topics) for d in documents})
    errors: list[DocumentError] = []
    for problem in graph.validate(nodes):
        doc = docs.get(problem.slug)
        if doc is None:  # a stored topic made invalid by these documents: blame a document in the cycle
            doc = next((docs[s] for s in problem.cycle if s in docs), documents[0])
        if problem.field and problem.slug == doc.slug:
            line = doc.line_of(problem.field, problem.target)
        else:
            line = doc.line_of("prerequisites") or doc.line_of("layer")
        errors.append(DocumentError(doc.path, line, problem.message))
    for doc in documents:
        errors.extend(field_length_errors(doc))
        for exercise in doc.exercises:
            errors.extend(
                DocumentError(doc.path, exercise.line, f'exercise "{exercise.slug}": {problem}')
                for problem in check_exercise(exercise.spec)
            )
        lines = {e.slug: e.line for e in doc.exercises}
        errors.extend(
            DocumentError(doc.path, lines[slug], f'exercise "{slug}": {message}')
            for slug, message in check_groups([(e.slug, e.spec) for e in doc.exercises])
        )
    return errors


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def field_length_errors(doc: TopicDocument) -> list[DocumentError]:
    """Every value longer than its database column, named with its file and line (the columns set the limits)."""
    errors = []
    for name in ("slug", "title", "layer"):
        value, limit = getattr(doc, name), _max_length(Topic, name)
        if limit and len(value) > limit:
            message = f"the {name} is {len(value)} characters long; at most {limit} are allowed"
            errors.append(DocumentError(doc.path, doc.line_of(name), message))
    for exercise in doc.exercises:
        values = {"slug": exercise.slug, "title": exercise.title, "kind": str(exercise.spec.get("kind", ""))}
        for name, value in values.items():
            limit = _max_length(Exercise, name)
            if limit and len(value) > limit:
                message = f'exercise "{exercise.slug[:40]}": its {name} is {len(value)} characters long'
                errors.append(DocumentError(doc.path, exercise.line, f"{message}; at most {limit} are allowed"))
    return errors


def import_directory(directory: Path, *, dry_run: bool = False) -> ImportReport:
    documents = read_directory(directory)
    errors = check_documents(documents)
    if errors:
        raise ContentError(errors)
    return import_documents(documents, dry_run=dry_run)


def import_documents(documents: list[TopicDocument], *, dry_run: bool = False) -> ImportReport:
    """Write checked documents in one transaction; unchanged topics are not touched."""
    report = ImportReport()
    with transaction.atomic():
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=[d.slug for d in documents])}
        for doc in documents:
            topic = topics.get(doc.slug)
            if topic is None:
                topics[doc.slug] = _save_topic(Topic(), doc)
                report.created.append(doc.slug)
            elif topic_document(topic) != replace(doc, lines={}):
                _save_topic(topic, doc)
                report.updated.append(doc.slug)
            else:
                report.unchanged.append(doc.slug)
        everything = {t.slug: t for t in Topic.objects.all()}
        for doc in documents:
            if doc.slug in report.unchanged:
                continue
            topic = everything[doc.slug]
            _save_edges(topic, doc, everything)
            report.exercises_retired += _save_exercises(topic, doc.exercises)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _save_topic(topic: Topic, doc: TopicDocument) -> Topic:
    topic.slug, topic.title, topic.layer, topic.summary = doc.slug, doc.title, doc.layer, doc.summary
    topic.body, topic.last_reviewed = doc.body, doc.last_reviewed
    topic.references_canonical = list(doc.references_canonical)
    topic.references_current = list(doc.references_current)
    topic.save()
    return topic


def _save_edges(topic: Topic, doc: TopicDocument, topics: dict[str, Topic]) -> None:
    TopicPrerequisite.objects.filter(topic=topic).delete()
    NextTopic.objects.filter(topic=topic).delete()
    TopicPrerequisite.objects.bulk_create(
        TopicPrerequisite(topic=topic, prerequisite=topics[slug], position=i)
        for i, slug in enumerate(doc.prerequisites)
    )
    NextTopic.objects.bulk_create(
        NextTopic(topic=topic, next_topic=topics[slug], position=i) for i, slug in enumerate(doc.next_topics)
    )


def _save_exercises(topic: Topic, blocks: tuple[ExerciseBlock, ...]) -> list[str]:
    existing = {e.slug: e for e in Exercise.objects.filter(topic=topic)}
    for position, block in enumerate(blocks):
        exercise = existing.pop(block.slug, None) or Exercise(topic=topic, slug=block.slug)
        exercise.position, exercise.title, exercise.prompt = position, block.title, block.prompt
        exercise.spec_yaml, exercise.spec, exercise.kind = block.spec_yaml, block.spec, block.spec["kind"]
        exercise.solution, exercise.retired = block.solution, False
        exercise.save()
    retired = []
    for exercise in existing.values():
        if not exercise.retired:
            exercise.retired = True
            exercise.save(update_fields=["retired", "updated_at"])
            retired.append(exercise.key)
    return retired


def topic_document(topic: Topic) -> TopicDocument:
    """The document a stored topic would be written as."""
    exercises = tuple(
        ExerciseBlock(e.slug, e.title, e.prompt, e.spec_yaml, e.spec, e.solution)
        for e in topic.exercises.filter(retired=False).order_by("position")
    )
    return TopicDocument(
        slug=topic.slug,
        title=topic.title,
        layer=topic.layer,
        summary=topic.summary,
        prerequisites=tuple(link.prerequisite.slug for link in topic.prerequisite_links.select_related("prerequisite")),
        next_topics=tuple(link.next_topic.slug for link in topic.next_links.select_related("next_topic")),
        last_reviewed=topic.last_reviewed,
        references_canonical=tuple(topic.references_canonical),
        references_current=tuple(topic.references_current),
        body=topic.body,
        exercises=exercises,
    )


def export_topics(directory: Path, topics=None) -> list[Path]:
    """Write each topic as `<slug>.md` under `directory`; returns the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for topic in topics if topics is not None else Topic.objects.all():
        path = directory / f"{topic.slug}.md"
        path.write_text(write_document(topic_document(topic)), encoding="utf-8")
        written.append(path)
    return written
