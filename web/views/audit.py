"""«Journal d'audit»: the organisation's administrator actions, newest first."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.audit import AUDIT_PAGE, AuditAction, audit_entries
from programs.models import AuditEntry, Role
from web.access import admin_required
from web.forms.audit import AuditFilterForm
from web.typing import MemberRequest

LABELS = dict(AuditAction.choices)
DETAIL_LABELS = {
    "role": gettext_lazy("Role"),
    "active": gettext_lazy("Active"),
    "regenerated": gettext_lazy("New address"),
    "old": gettext_lazy("Before"),
    "new": gettext_lazy("After"),
    "groups": gettext_lazy("Groups"),
}


def _cursor(text: str) -> tuple[dt.datetime, int] | None:
    """`after` as the page writes it, "<ISO time>_<id>"; anything else starts at the top."""
    at, _sep, entry_id = text.rpartition("_")
    try:
        moment = dt.datetime.fromisoformat(at)
        return (moment, int(entry_id)) if moment.tzinfo else None
    except ValueError:
        return None


def _cursor_text(entry: AuditEntry) -> str:
    return f"{entry.at.isoformat()}_{entry.pk}"


def _details(entry: AuditEntry) -> list[tuple[str, str]]:
    """The entry's details as label/value pairs a person can read."""
    pairs = []
    for key, value in (entry.details or {}).items():
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        elif isinstance(value, str) and value in Role.values:
            text = str(Role(value).label)
        else:
            text = str(value)
        pairs.append((str(DETAIL_LABELS.get(key, key)), text))
    return pairs


@admin_required
def audit_log(request: MemberRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    bad = form.is_bound and not form.is_valid()
    after = _cursor(request.GET.get("after", ""))
    entries = (
        []
        if bad
        else audit_entries(
            organisation_id=request.user.organisation_id,
            after=after,
            limit=AUDIT_PAGE + 1,
            **filters,
        )
    )
    more = len(entries) > AUDIT_PAGE
    entries = entries[:AUDIT_PAGE]
    next_query = ""
    if more:
        query = QueryDict(mutable=True)
        for key in request.GET:
            if key != "after":
                query.setlist(key, request.GET.getlist(key))
        query["after"] = _cursor_text(entries[-1])
        next_query = query.urlencode()
    rows = [
        {"entry": e, "label": LABELS.get(e.action, e.action), "details": _details(e)}
        for e in entries
    ]
    return render(
        request,
        "web/audit_log.html",
        {"form": form, "rows": rows, "next_query": next_query, "paged": after is not None},
    )
