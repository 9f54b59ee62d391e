"""A real Celery worker for the tests, whose grading can be slowed down on request.

An answer written "slow:<seconds>:<answer>" is graded as <answer> after that many seconds, so a
test can catch it mid-grade (to kill the child, or to deliver it twice). Run as
`python -m tests.grading_pipeline.worker <celery worker arguments>`.
"""

import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from grading import engine

    grade_answer = engine.grade_answer

    def slow_grade_answer(exercise, seed, answer):
        if answer.startswith("slow:"):
            _, seconds, answer = answer.split(":", 2)
            time.sleep(float(seconds))
        return grade_answer(exercise, seed, answer)

    engine.grade_answer = slow_grade_answer
    from celery.bin.celery import main as celery_main

    sys.argv = ["celery", "-A", "config", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
