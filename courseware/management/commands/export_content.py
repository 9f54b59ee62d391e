from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courseware.content import export_topics
from courseware.models import Topic


class Command(BaseCommand):
    help = "Write topics back as documents that import_content reads."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--topic", action="append", help="slug of a topic to export (repeatable); default all")

    def handle(self, directory, topic, **options):
        topics = Topic.objects.all()
        if topic:
            topics = topics.filter(slug__in=topic)
            missing = set(topic) - set(topics.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"no such topic: {', '.join(sorted(missing))}")
        paths = export_topics(Path(directory), topics)
        self.stdout.write(self.style.SUCCESS(f"wrote {len(paths)} documents to {directory}"))
