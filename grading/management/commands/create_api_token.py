from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from grading.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API token for a user (for scripts: Authorization: Bearer <token>). The secret is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f'no user "{username}"')
        _, secret = ApiToken.issue(user, name)
        self.stdout.write(secret)
