from __future__ import annotations

import zoneinfo

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone, translation

from programs.audit import audit_source


class UserPreferencesMiddleware:
    """Speak the signed-in person's language and show times in their zone."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class AuditSourceMiddleware:
    """Entries the audit log writes during this request say where it came from: the
    client's address (Daphne's --proxy-headers puts nginx's X-Forwarded-For there)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with audit_source(request.META.get("REMOTE_ADDR") or ""):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's header, with this page's own WebSocket origin in connect-src: the one
    live.js opens (`'self'` alone does not match ws:// in every browser)."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if parts.config is None and parts.replace is None:
            try:
                host = request.get_host()
            except DisallowedHost:
                return parts  # a 400 page, which opens no socket
            socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
            parts.update = {**(parts.update or {})}
            parts.update["connect-src"] = [*parts.update.get("connect-src", []), socket]
        return parts
