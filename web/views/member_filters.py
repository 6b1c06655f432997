"""«Sauvegarder le filtre de recherche» and «Recherches récentes» on the members list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from programs import saved_filters
from programs.errors import DomainError
from web.access import admin_required
from web.typing import MemberRequest


def _members_list(query: str) -> HttpResponse:
    url = reverse("web:members")
    return redirect(f"{url}?{query}" if query else url)


@admin_required
@require_POST
def saved_filter_save(request: MemberRequest) -> HttpResponse:
    """Save the list's current filter (its query string, as the list wrote it) under the
    name typed; back to the list filtered by it."""
    query = request.POST.get("query", "")
    try:
        saved = saved_filters.saved_filter_save(
            actor=request.user, name=request.POST.get("name", ""), query=query
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The filter «%(name)s» is saved under Recent searches.") % {"name": saved.name},
        )
    return _members_list(query)


@admin_required
def saved_filter_open(request: MemberRequest, saved_id: int) -> HttpResponse:
    """A link of «Recherches récentes»: the list with that filter (now the most recent)."""
    saved = saved_filters.saved_filter_get(owner=request.user, saved_id=saved_id)
    saved_filters.saved_filter_use(actor=request.user, saved=saved)
    return _members_list(saved.query)


@admin_required
@require_POST
def saved_filter_delete(request: MemberRequest, saved_id: int) -> HttpResponse:
    saved = saved_filters.saved_filter_get(owner=request.user, saved_id=saved_id)
    saved_filters.saved_filter_delete(actor=request.user, saved=saved)
    messages.success(request, _("The saved filter «%(name)s» is deleted.") % {"name": saved.name})
    return _members_list(request.POST.get("query", ""))
