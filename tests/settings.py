"""Settings for the test suite: the site's own, with a fast password hasher.

The production hasher costs about two seconds per password on a small machine, and the
fixtures create hundreds of accounts; nothing under test depends on the hash being slow.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
