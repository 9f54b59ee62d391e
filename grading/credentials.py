"""A changed password revokes the account's API tokens.

Other browser sessions end by themselves: Django ties each session to a hash of the password, and
the password-change view re-keys only the session that made the change.
"""

import logging

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from grading.models import ApiToken

logger = logging.getLogger(__name__)
User = get_user_model()


def _revoke_tokens_on_password_change(sender, instance, created, **kwargs):
    # `_password` holds the new raw password from set_password() until the save completes; a hash
    # upgraded at log-in (same password) does not set it, so it revokes nothing.
    if created or getattr(instance, "_password", None) is None:
        return
    revoked, _ = ApiToken.objects.filter(user=instance).delete()
    if revoked:
        logger.info("password of user %s changed: revoked %s API token(s)", instance.pk, revoked)


def connect() -> None:
    post_save.connect(_revoke_tokens_on_password_change, sender=User, dispatch_uid="grading.revoke_tokens")
