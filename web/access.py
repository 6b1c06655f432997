"""Who may see a page: one decorator, `access_required(rule)`, with the rules of
programs.permissions (the services apply the same ones whatever the page sends).
Anything outside the caller's reach is a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from programs import permissions
from programs.models import User

View = Callable[..., HttpResponse]


def access_required(rule: Callable[[User], bool]) -> Callable[[View], View]:
    """Signed-in people for whom `rule` holds; others are sent to sign in (anonymous) or
    get a 404. Views then scope every query by `request.user.organisation_id`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not isinstance(user, User) or not rule(user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# A member of an organisation (any role), its administrators, platform support staff.
member_required = access_required(permissions.is_member)
admin_required = access_required(permissions.is_org_admin)
staff_required = access_required(permissions.is_support_staff)


def next_or(request: HttpRequest, default: str) -> str:
    """Where a form asked to go back to (its `next` field), if it is on this site;
    otherwise `default` (a URL name or path). Never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
