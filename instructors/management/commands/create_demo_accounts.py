from django.core.management.base import BaseCommand

from instructors.accounts import ensure_demo_accounts


class Command(BaseCommand):
    help = "Create the demo student and instructor (existing passwords are left alone)."

    def handle(self, **options):
        for username, password, instructor in ensure_demo_accounts():
            role = "instructor" if instructor else "student"
            self.stdout.write(f"demo {role}: {username} / {password}")
