"""Who is knocking: the client behind the proxy, for log-in lockouts (django-axes) and sign-up throttling."""

import hashlib
import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address: X-Forwarded-For as written by our own `TRUSTED_PROXIES` proxies, else the peer.

    Entries a client writes itself come first in the header, so only the ones our proxies appended count;
    anything that is not an IP address is ignored (it is stored in an address column).
    """
    trusted = settings.TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= trusted and _is_ip(hops[-trusted]):
            return hops[-trusted]
    peer = request.META.get("REMOTE_ADDR", "")
    return peer if _is_ip(peer) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def client_key(group, request) -> str:
    """A client for sign-up throttling: its address and browser, so a classroom behind one NAT is not one client."""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    return hashlib.sha256(f"{client_ip(request) or ''}|{agent}".encode()).hexdigest()


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in: a page that says why and for how long (429)."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


def account_unlock(username: str) -> int:
    """Clear the failed log-ins that lock this account, and those of the clients it failed from.

    Returns how many failure records were cleared.
    """
    from axes.models import AccessAttempt
    from django.db.models import Q

    attempts = AccessAttempt.objects.filter(username=username)
    clients = Q(pk__in=[])
    for ip, agent in attempts.values_list("ip_address", "user_agent").distinct():
        clients |= Q(ip_address=ip, user_agent=agent)
    cleared, _ = AccessAttempt.objects.filter(Q(username=username) | clients).delete()
    return cleared


def account_locked(username: str) -> bool:
    from axes.models import AccessAttempt
    from django.utils import timezone

    recent = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=recent
    ).exists()
