"""API tokens: whose a bearer token is, and a changed password revoking the account's tokens.

Other browser sessions end by themselves: Django ties each session to a hash of the password, and
the password-change view re-keys only the session that made the change.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from grading.models import ApiToken, hash_token

logger = logging.getLogger(__name__)
User = get_user_model()
USE_RESOLUTION = timedelta(minutes=5)  # how precisely a token's last use is kept: not a write on every request


LOOKUP_SQL = (
    "SELECT t.id, t.user_id, (t.last_used_at IS NULL OR t.last_used_at < %s) "  # noqa: S608 (no input)
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.digest = %s AND u.is_active = %s"
)


def user_by_token(secret: str):
    """The active user a bearer token belongs to, or None; notes the token's use (to USE_RESOLUTION).

    Asked on every API request, so it is one plain statement, not a query built anew each time; the
    user comes back with only its id loaded (any other field is read when first used).
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(LOOKUP_SQL, [connection.ops.adapt_datetimefield_value(now - USE_RESOLUTION),
                                       hash_token(secret), True])  # fmt: skip
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, user_id, unused_lately = row
    if unused_lately:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return User.from_db(connection.alias, ["id", "is_active"], [user_id, True])


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
