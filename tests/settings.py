"""Settings for the test suite: the site's own, with a fast password hasher and a roomy grading budget.

The production hasher costs about two seconds per password on a small machine, and the
fixtures create hundreds of accounts; nothing under test depends on the hash being slow.
The engine's budget is wall-clock time: on a busy machine a check that normally takes half a
second can pass two, and a verdict must not depend on the machine's load. The budget's own
behaviour is tested in tests/grading with explicit budgets.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GRADING_BUDGET_S = 30.0
