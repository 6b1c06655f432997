"""The administrator's pages: dashboard, members, relationships, groups."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from feedback.selectors import evaluation_state_label, evaluation_states
from notifications.email.log import email_problems_recent
from presence.selectors import online_among, online_user_ids
from programs import invitations, profile_selectors, selectors, services
from programs.errors import DomainError
from programs.saved_filters import saved_filter_list
from scheduling.selectors import (
    Tally,
    admin_day,
    meeting_counts_by_member,
    meeting_counts_by_relationship,
    next_meetings_by_relationship,
)
from web.access import admin_required, next_or
from web.forms.members import (
    GroupCreateForm,
    GroupMembersForm,
    MemberAdministratorForm,
    MemberRoleForm,
    RelationshipMatchForm,
    member_filters_query,
    member_filters_read,
)
from web.paging import PAGE_SIZES, page_of
from web.typing import MemberRequest
from web.widgets import lookup_response
from workspace.selectors import agreement_states

DASHBOARD_LINES = 8


@admin_required
def dashboard(request: MemberRequest) -> HttpResponse:
    """The administrator's day: what needs attention now, each line a link to act on it,
    above the program's live totals."""
    organisation = request.user.organisation
    online = online_user_ids(organisation_id=organisation.pk)
    return render(
        request,
        "web/manage_dashboard.html",
        {
            "organisation": organisation,
            "counts": selectors.dashboard_counts(organisation_id=organisation.pk),
            "day": admin_day(
                organisation_id=organisation.pk, viewer=request.user, limit=DASHBOARD_LINES
            ),
            "email_problems": email_problems_recent(
                organisation_id=organisation.pk, limit=DASHBOARD_LINES
            ),
            "online": selectors.members_among(
                organisation_id=organisation.pk, user_ids=online, limit=DASHBOARD_LINES
            ),
            "online_total": len(online),
            "invitation_links": [
                (link, invitations.invitation_url(link))
                for link in invitations.invitation_links(actor=request.user)
            ],
        },
    )


@admin_required
def members(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    form, filters = member_filters_read(request.GET, organisation_id=organisation_id)
    query = member_filters_query(filters) if form.is_valid() else ""
    page, size = page_of(
        request, selectors.member_list(organisation_id=organisation_id, filters=filters)
    )
    shown = [member.pk for member in page.object_list]
    online = online_among(organisation_id=organisation_id, user_ids=shown)
    tallies = meeting_counts_by_member(organisation_id=organisation_id, user_ids=shown)
    rows = [
        {
            "member": member,
            "online": member.pk in online,
            "current": member.current_as_mentor + member.current_as_mentee,
            "matches": member.total_as_mentor + member.total_as_mentee,
            "tally": tallies.get(member.pk, Tally(0, 0)),
        }
        for member in page.object_list
    ]
    return render(
        request,
        "web/manage_members.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "size": size,
            "page_sizes": PAGE_SIZES,
            "role": filters.role,
            "filter_query": query,
            "recent_searches": saved_filter_list(owner=request.user),
            "recalculation": profile_selectors.recalculation_current(
                organisation_id=organisation_id
            ),
            # The selection bar's «Ajouter au groupe» (web/views/member_selection.py).
            "groups": list(selectors.group_choices(organisation_id=organisation_id)),
        },
    )


@admin_required
def member_detail(request: MemberRequest, member_id: int) -> HttpResponse:
    organisation_id = request.user.organisation_id
    member = selectors.member_get(organisation_id=organisation_id, member_id=member_id)
    form = MemberAdministratorForm(
        request.POST or None,
        organisation_id=organisation_id,
        initial={"member_administrator": member.member_administrator_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_set_administrator(
                actor=request.user,
                member=member,
                administrator=form.cleaned_data["member_administrator"],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("web:member", member_id=member.pk)
    return render(
        request,
        "web/manage_member.html",
        {
            "member": member,
            "form": form,
            "relationships": selectors.member_relationships(user=member),
            "groups": member.member_groups.order_by("name"),
            "online": member.pk in online_user_ids(organisation_id=organisation_id),
            "role_form": MemberRoleForm(initial={"role": member.role}),
        },
    )


@admin_required
@require_POST
def member_action(request: MemberRequest, member_id: int) -> HttpResponse:
    """The member page's «Renvoyer les informations de connexion» and «Changer le rôle»."""
    member = selectors.member_get(organisation_id=request.user.organisation_id, member_id=member_id)
    try:
        if request.POST.get("action") == "resend":
            services.member_login_information_resend(actor=request.user, member=member)
            messages.success(
                request, _("Login information sent to %(email)s.") % {"email": member.email}
            )
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Choose mentor or mentee."))
            member = services.member_change_role(
                actor=request.user, member=member, role=form.cleaned_data["role"]
            )
            messages.success(
                request,
                _("%(name)s is now: %(role)s.")
                % {"name": member.full_name, "role": member.get_role_display()},
            )
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("web:member", member_id=member.pk)


@admin_required
@require_POST
def member_set_active(request: MemberRequest, member_id: int) -> HttpResponse:
    """The «Actif» checkbox: unticking deactivates at once, ticking reactivates."""
    member = selectors.member_get(organisation_id=request.user.organisation_id, member_id=member_id)
    active = request.POST.get("active") in {"1", "true", "on"}
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        member = services.member_set_active(actor=request.user, member=member, active=active)
    except DomainError as error:
        if wants_json:
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, str(error.message))
        return redirect("web:members")
    if wants_json:
        return JsonResponse({"id": member.pk, "active": member.is_active})
    if member.is_active:
        messages.success(request, _("%(name)s is active again.") % {"name": member.full_name})
    else:
        messages.success(request, _("%(name)s is deactivated.") % {"name": member.full_name})
    return redirect(next_or(request, "web:members"))


@admin_required
def member_lookup(request: MemberRequest) -> JsonResponse:
    """The people pickers' type-ahead: this organisation's people matching what was typed
    (`q`; everyone, alphabetically, when nothing is), optionally of some roles (`role`)
    and active only (`active=1`), a page at a time (`page`)."""
    return lookup_response(
        request,
        functools.partial(
            selectors.member_lookup,
            organisation_id=request.user.organisation_id,
            role=request.GET.get("role", ""),
            active_only=request.GET.get("active") == "1",
        ),
    )


@admin_required
def relationships(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    tab = request.GET.get("tab", "all")
    if tab not in selectors.RELATIONSHIP_TABS:
        tab = "all"
    search = request.GET.get("q", "").strip()
    page, size = page_of(
        request,
        selectors.relationship_list(organisation_id=organisation_id, tab=tab, search=search),
    )
    ids = [r.pk for r in page.object_list]
    online = online_among(
        organisation_id=organisation_id,
        user_ids=[person for r in page.object_list for person in (r.mentor_id, r.mentee_id)],
    )
    tallies = meeting_counts_by_relationship(organisation_id=organisation_id, relationship_ids=ids)
    next_meetings = next_meetings_by_relationship(relationship_ids=ids)
    agreements = agreement_states(relationship_ids=ids)
    evaluations = evaluation_states(relationship_ids=ids)
    return render(
        request,
        "web/manage_relationships.html",
        {
            "tab": tab,
            "q": search,
            "page": page,
            "size": size,
            "page_sizes": PAGE_SIZES,
            "rows": [
                {
                    "relationship": r,
                    "mentor_online": r.mentor_id in online,
                    "mentee_online": r.mentee_id in online,
                    "tally": tallies.get(r.pk, Tally(0, 0)),
                    "next_meeting": next_meetings.get(r.pk),
                    "agreement": agreements.get(r.pk, ("not_started", None)),
                    "evaluation": evaluations[r.pk],
                    "evaluation_label": evaluation_state_label(evaluations[r.pk]),
                }
                for r in page.object_list
            ],
            "tab_counts": selectors.relationship_tab_counts(organisation_id=organisation_id),
        },
    )


@admin_required
def relationship_new(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    form = RelationshipMatchForm(request.POST or None, organisation_id=organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            relationship = services.relationship_match(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("%(mentor)s and %(mentee)s are matched.")
                % {
                    "mentor": relationship.mentor.full_name,
                    "mentee": relationship.mentee.full_name,
                },
            )
            return redirect(reverse("web:relationships") + "?tab=matched")
    return render(request, "web/manage_relationship_new.html", {"form": form})


@admin_required
@require_POST
def relationship_end(request: MemberRequest, relationship_id: int) -> HttpResponse:
    relationship = selectors.relationship_get(
        organisation_id=request.user.organisation_id, relationship_id=relationship_id
    )
    try:
        services.relationship_end(actor=request.user, relationship=relationship)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The relationship has ended."))
    return redirect(next_or(request, "web:relationships"))


@admin_required
def groups(request: MemberRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    form = GroupCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error("name", str(error.message))
        else:
            messages.success(request, _("Group %(name)s created.") % {"name": group.name})
            return redirect("web:group", group_id=group.pk)
    return render(
        request,
        "web/manage_groups.html",
        {"form": form, "groups": selectors.group_list(organisation_id=organisation_id)},
    )


@admin_required
def group_detail(request: MemberRequest, group_id: int) -> HttpResponse:
    organisation_id = request.user.organisation_id
    group = selectors.group_get(organisation_id=organisation_id, group_id=group_id)
    form = GroupMembersForm(
        request.POST or None,
        organisation_id=organisation_id,
        initial={"members": list(group.members.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_set_members(
                actor=request.user,
                group=group,
                member_ids=[member.pk for member in form.cleaned_data["members"]],
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The group's members are saved."))
            return redirect("web:group", group_id=group.pk)
    return render(request, "web/manage_group.html", {"group": group, "form": form})
