"""The relationship's conversation: the pair's page (post, edit, delete, older posts, the
catch-up after a reconnection) and the administrators' read-only view, which shows text
only when the organisation allows it (and audits each read).

Every endpoint works without JavaScript as a form POST answered by a redirect; with
`Accept: application/json` (web/static/tandem/conversation.js) it answers JSON instead.
Posts travel as `PostView.payload()` — their text already rendered by
`workspace.text.post_html`, the same function the page's template uses."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from presence.selectors import is_online
from programs import selectors
from programs.errors import DomainError
from programs.models import Relationship
from web.access import admin_required, member_required
from web.paging import PAGE_SIZES, page_of
from web.typing import MemberRequest
from workspace import conversation
from workspace.models import Post
from workspace.models.conversation import POST_MAX_LENGTH


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _mine(request: MemberRequest, relationship_id: int) -> Relationship:
    try:
        return conversation.pair_relationship(user=request.user, relationship_id=relationship_id)
    except DomainError:
        raise Http404 from None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@member_required
def conversation_page(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = _mine(request, relationship_id)
    if request.method == "POST":
        return _post_create(request, relationship)
    posts, more = conversation.history(relationship=relationship, viewer=request.user)
    partner = conversation.partner_of(request.user, relationship)
    marks = conversation.read_marks(relationship)
    return render(
        request,
        "web/conversation.html",
        {
            "relationship": relationship,
            "partner": partner,
            "partner_online": is_online(
                organisation_id=relationship.organisation_id, user_id=partner.pk
            ),
            "posts": list(reversed(posts)),
            "more": more,
            "partner_read": marks.get(partner.pk, 0),
            "open": relationship.status == "matched",
            "max_length": POST_MAX_LENGTH,
            "now": timezone.now().isoformat(),
            "now_dt": timezone.now(),
            "editable": relationship.status == "matched",
            "edit_window": settings.CONVERSATION_EDIT_WINDOW,
        },
    )


def _post_create(request: MemberRequest, relationship: Relationship) -> HttpResponse:
    try:
        post = conversation.post_create(
            author=request.user, relationship=relationship, text=request.POST.get("text", "")
        )
    except DomainError as error:
        if _wants_json(request):
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, str(error.message))
        return redirect("web:conversation", relationship_id=relationship.pk)
    if _wants_json(request):
        post.author = request.user
        return JsonResponse({"post": conversation.view_of(post).payload()}, status=201)
    return redirect("web:conversation", relationship_id=relationship.pk)


def _own_post(request: MemberRequest, relationship: Relationship, post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id, relationship=relationship).first()
    if post is None:
        raise Http404
    return post


@member_required
@require_POST
def post_edit(request: MemberRequest, relationship_id: int, post_id: int) -> HttpResponse:
    relationship = _mine(request, relationship_id)
    post = _own_post(request, relationship, post_id)
    try:
        post = conversation.post_edit(
            actor=request.user, post=post, text=request.POST.get("text", "")
        )
    except DomainError as error:
        if _wants_json(request):
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, str(error.message))
    else:
        if _wants_json(request):
            return JsonResponse({"post": conversation.view_of(post).payload()})
    return redirect("web:conversation", relationship_id=relationship.pk)


@member_required
@require_POST
def post_delete(request: MemberRequest, relationship_id: int, post_id: int) -> HttpResponse:
    relationship = _mine(request, relationship_id)
    post = _own_post(request, relationship, post_id)
    try:
        post = conversation.post_delete(actor=request.user, post=post)
    except DomainError as error:
        if _wants_json(request):
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, str(error.message))
    else:
        if _wants_json(request):
            return JsonResponse({"post": conversation.view_of(post).payload()})
    return redirect("web:conversation", relationship_id=relationship.pk)


@member_required
@require_GET
def older(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """«Messages précédents»: the page of posts before `before`, newest first."""
    relationship = _mine(request, relationship_id)
    posts, more = conversation.history(
        relationship=relationship, viewer=request.user, before_id=_int(request.GET.get("before"))
    )
    return JsonResponse({"posts": [p.payload() for p in posts], "more": more})


@member_required
@require_GET
def catch_up(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """After a reconnection: posts after `after`, posts changed since `changed_since`, the
    partner's presence and read mark, and the server's time for the next catch-up."""
    relationship = _mine(request, relationship_id)
    changed_since: datetime | None = parse_datetime(request.GET.get("changed_since", "") or "")
    now = timezone.now()
    posts = conversation.since(
        relationship=relationship,
        viewer=request.user,
        after_id=_int(request.GET.get("after")) or 0,
        changed_since=changed_since,
    )
    partner = conversation.partner_of(request.user, relationship)
    return JsonResponse(
        {
            "posts": [p.payload() for p in posts],
            "now": now.isoformat(),
            "partner_online": is_online(
                organisation_id=relationship.organisation_id, user_id=partner.pk
            ),
            "partner_read": conversation.read_marks(relationship).get(partner.pk, 0),
        }
    )


@admin_required
def admin_conversation(request: MemberRequest, relationship_id: int) -> HttpResponse:
    """An administrator's view of a conversation: its text only when the organisation lets
    administrators read conversations (each read audited); otherwise counts only."""
    relationship = (
        conversation.conversation_activity(organisation_id=request.user.organisation_id)
        .select_related("organisation")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None:
        raise Http404
    try:
        posts, more = conversation.conversation_admin_read(
            actor=request.user,
            relationship=relationship,
            before_id=_int(request.GET.get("before")),
        )
    except DomainError as error:
        if error.code == "not_found":
            raise Http404 from None
        return render(
            request,
            "web/conversation_admin.html",
            {"relationship": relationship, "refused": error.message},
            status=403,
        )
    return render(
        request,
        "web/conversation_admin.html",
        {
            "relationship": relationship,
            "posts": list(reversed(posts)),
            "more": more,
            "oldest": posts[-1].id if posts else None,
        },
    )


@admin_required
def conversations_tab(request: MemberRequest) -> HttpResponse:
    """The relationships page's «Conversations» tab: each relationship's post count and
    last activity, live (`conversation.activity`); never any text. Paged like the
    relationships list (`programs.pagination.IdPaged`, newest relationship first); the
    counts are read for the page's rows only, in one query."""
    organisation = request.user.organisation
    page, size = page_of(
        request, selectors.relationship_list(organisation_id=organisation.pk, tab="all")
    )
    activity = conversation.activity_by_relationship(
        relationship_ids=[r.pk for r in page.object_list]
    )
    return render(
        request,
        "web/manage_conversations.html",
        {
            "page": page,
            "rows": [(r, *activity.get(r.pk, (0, None))) for r in page.object_list],
            "size": size,
            "page_sizes": PAGE_SIZES,
            "readable": organisation.messages_in_reports,
            "tab": "conversations",
            "tab_counts": selectors.relationship_tab_counts(organisation_id=organisation.pk),
        },
    )
