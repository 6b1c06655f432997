"""Selection actions on the members list (web/views/member_selection.py): tick members —
or all those matching the filter — choose an action, check the preview, confirm. Each
action is previewed then applied to exactly the previewed people; another organisation's
ids posted are ignored (they match nobody); other people's selections are 404."""

from __future__ import annotations

import re
from html import unescape

import pytest

from programs.audit import AuditAction
from programs.models import (
    AuditEntry,
    MemberDeactivation,
    MemberGroup,
    MemberSelection,
    Role,
    User,
)
from tests.conftest import make_member

START = "/manage/members/selection/"


def start(client, action: str, *people: User, **extra):
    return client.post(START, {"action": action, "member": [p.pk for p in people], **extra})


def selection_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    selection = MemberSelection.objects.latest("pk")
    assert response["Location"] == f"{START}{selection.pk}/"
    return response["Location"]


def text_of(response) -> str:
    return unescape(response.content.decode())


def inactive(org) -> set[str]:
    return set(
        User.objects.filter(organisation=org, is_active=False).values_list("email", flat=True)
    )


@pytest.fixture
def crowd(org) -> list[User]:
    """30 mentors, Name000…Name029, beside the personas."""
    return [
        make_member(org, f"p{i}@mentor.test", f"Pat{i}", f"Name{i:03d}", Role.MENTOR)
        for i in range(30)
    ]


def test_the_list_has_a_box_per_row_and_the_action_bar(admin_client, admin, mentor, mentee):
    html = text_of(admin_client.get("/manage/members/"))
    assert 'id="member-selection"' in html and f'action="{START}"' in html
    box = re.search(rf'<input type="checkbox" name="member" value="{mentor.pk}"[^>]*>', html)
    assert box and 'form="member-selection"' in box.group(0)
    assert 'aria-label="Select Anna Carter"' in box.group(0)
    assert "Select all on this page" in html
    for label in ("Deactivate", "Reactivate", "Send a message", "Delete permanently"):
        assert f">{label}</button>" in html
    assert "#}" not in html and "{%" not in html  # no template text leaks
    # Everyone is on this page: no «all N matching the filter».
    assert "matching the filter</label>" not in html


def test_all_matching_is_offered_when_the_filter_matches_more_than_the_page(
    admin_client, admin, crowd
):
    html = text_of(admin_client.get("/manage/members/?role=mentor&size=10"))
    assert "Select the 30 members matching the filter" in html
    assert 'name="query" value="role=mentor"' in html


def test_deactivate_previewed_then_applied_once(admin_client, org, admin, mentor, mentee):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)
    url = selection_url(start(admin_client, "deactivate", mentor, mentee, other_admin, admin))
    assert inactive(org) == set()  # nothing before the confirmation
    preview = text_of(admin_client.get(url))
    assert "2 members will be deactivated and signed out" in preview
    assert "Anna Carter" in preview and "Charlotte Test" in preview
    assert "Left out: 2 members" in preview
    assert preview.count("Administrators are never changed by a selection.") == 2
    done = admin_client.post(f"{url}confirm/")
    assert done.status_code == 302 and done["Location"] == "/manage/members/"
    assert inactive(org) == {"anna@mentor.test", "charlotte@mentor.test"}
    entry = AuditEntry.objects.get(action=AuditAction.MEMBERS_DEACTIVATE)
    assert entry.count == 2 and "file" not in entry.details
    # Used twice (back button, double click): refused, nothing more happens.
    rows = (AuditEntry.objects.count(), MemberDeactivation.objects.count())
    again = admin_client.post(f"{url}confirm/", follow=True)
    assert "already been applied" in text_of(again)
    assert (AuditEntry.objects.count(), MemberDeactivation.objects.count()) == rows
    assert "2 members were deactivated." in text_of(admin_client.get(url))


def test_reactivate_leaves_out_who_is_already_active(admin_client, org, admin, mentor, mentee):
    User.objects.filter(pk=mentor.pk).update(is_active=False)
    url = selection_url(start(admin_client, "reactivate", mentor, mentee))
    preview = text_of(admin_client.get(url))
    assert "1 member will be reactivated" in preview and "Already active." in preview
    admin_client.post(f"{url}confirm/")
    assert inactive(org) == set()
    assert AuditEntry.objects.get(action=AuditAction.MEMBERS_REACTIVATE).count == 1


def test_all_matching_the_filter_covers_members_on_other_pages(
    admin_client, org, admin, mentee, crowd
):
    group = MemberGroup.objects.create(organisation=org, name="Cohort 2026")
    first_page = crowd[:10]  # what was ticked on the page shown
    response = admin_client.post(
        START,
        {
            "action": "group",
            "group": group.pk,
            "member": [p.pk for p in first_page],
            "scope": "filter",
            "query": "role=mentor",
        },
    )
    url = selection_url(response)
    selection = MemberSelection.objects.get()
    assert selection.everyone_matching and len(selection.member_ids) == 30
    preview = text_of(admin_client.get(url))
    assert "30 members will be added to the group Cohort 2026" in preview
    assert "Every member matching the list's filter was selected" in preview
    assert group.members.count() == 0
    admin_client.post(f"{url}confirm/")
    assert set(group.members.values_list("pk", flat=True)) == {p.pk for p in crowd}
    entry = AuditEntry.objects.get(action=AuditAction.GROUP_MEMBERS_ADD)
    assert entry.count == 30 and entry.target_label == "Cohort 2026"


def test_all_matching_without_a_filter_is_everyone(admin_client, org, admin, mentor, crowd):
    response = admin_client.post(START, {"action": "message", "scope": "filter", "query": ""})
    selection_url(response)
    # Administrators too: a message reaches them when chosen by name.
    assert len(MemberSelection.objects.get().member_ids) == 32


def test_add_to_group_leaves_out_who_is_in_it(admin_client, org, admin, mentor, mentee):
    group = MemberGroup.objects.create(organisation=org, name="Alumni")
    group.members.add(mentor)
    url = selection_url(start(admin_client, "group", mentor, mentee, group=group.pk))
    preview = text_of(admin_client.get(url))
    assert "1 member will be added to the group Alumni" in preview
    assert "Already in this group." in preview
    done = admin_client.post(f"{url}confirm/", follow=True)
    assert "1 member added to the group Alumni." in text_of(done)
    assert set(group.members.values_list("pk", flat=True)) == {mentor.pk, mentee.pk}
    # Confirmed again: nothing twice.
    admin_client.post(f"{url}confirm/")
    assert AuditEntry.objects.filter(action=AuditAction.GROUP_MEMBERS_ADD).count() == 1


def test_add_to_another_organisations_group_is_refused(
    admin_client, admin, mentor, outsider, other_org
):
    theirs = MemberGroup.objects.create(organisation=other_org, name="Theirs")
    response = start(admin_client, "group", mentor, group=theirs.pk)
    assert response.status_code == 302 and response["Location"] == "/manage/members/"
    assert "Choose one of your program" in text_of(admin_client.get("/manage/members/"))
    assert MemberSelection.objects.count() == 0 and theirs.members.count() == 0


def test_nothing_ticked_or_an_unknown_action_changes_nothing(admin_client, admin, mentor):
    response = admin_client.post(START, {"action": "deactivate", "query": "role=mentor"})
    assert response["Location"] == "/manage/members/?role=mentor"
    assert "Select at least one member first." in text_of(admin_client.get(response["Location"]))
    start(admin_client, "explode", mentor)
    assert MemberSelection.objects.count() == 0 and inactive(mentor.organisation) == set()


def test_a_filter_that_does_not_read_selects_nobody(admin_client, admin, mentor):
    response = admin_client.post(
        START, {"action": "deactivate", "scope": "filter", "query": "completion_below=140"}
    )
    assert response.status_code == 302
    assert MemberSelection.objects.count() == 0 and inactive(mentor.organisation) == set()


def test_message_opens_the_community_form_with_the_people_chosen(
    admin_client, admin, mentor, mentee, org
):
    gone = make_member(org, "gone@mentor.test", "Gone", "Away", Role.MENTEE, is_active=False)
    url = selection_url(start(admin_client, "message", mentor, mentee, gone))
    preview = text_of(admin_client.get(url))
    assert "The message form will open with these 2 people as the chosen recipients" in preview
    assert "deactivated members receive no message" in preview
    done = admin_client.post(f"{url}confirm/")
    selection = MemberSelection.objects.get()
    assert done["Location"] == f"/manage/messages/new/?selection={selection.pk}"
    form = text_of(admin_client.get(done["Location"]))
    assert re.search(r'value="chosen"[^>]*checked', form)
    for person in (mentor, mentee):
        assert re.search(rf'<option value="{person.pk}" selected>', form), person
    assert f'<option value="{gone.pk}"' not in form
    assert "2 recipients" in form


def test_delete_needs_the_name_once_and_reports_who_was_refused(
    admin_client, org, admin, mentor, mentee, crowd
):
    other_admin = make_member(org, "ada@mentor.test", "Ada", "Admin", Role.ADMINISTRATOR)
    people = [mentor, mentee, crowd[0], other_admin]
    url = selection_url(start(admin_client, "delete", *people))
    preview = text_of(admin_client.get(url))
    assert "3 members will be deleted permanently" in preview
    assert "An administrator can never be deleted." in preview
    assert "What is removed, for good" in preview
    # Typed wrong: nothing changed, the selection still waits.
    wrong = admin_client.post(f"{url}confirm/", {"confirmation": "Mentor"})
    assert wrong.status_code == 400 and "Type the program" in text_of(wrong)
    assert User.objects.filter(deleted_at__isnull=False).count() == 0
    # Between the preview and the confirmation Pat0 became an administrator: the service
    # refuses them whatever the selection holds.
    User.objects.filter(pk=crowd[0].pk).update(role=Role.ADMINISTRATOR)
    done = admin_client.post(f"{url}confirm/", {"confirmation": "Mentor Canada"}, follow=True)
    html = text_of(done)
    assert "2 members were deleted permanently." in html
    assert "Anna Carter" in html and "Charlotte Test" in html  # from the audit log
    assert "Refused when applied" in html and "Pat0 Name000" in html
    deleted = set(User.objects.filter(deleted_at__isnull=False).values_list("pk", flat=True))
    assert deleted == {mentor.pk, mentee.pk}
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_DELETE).count() == 2
    again = admin_client.post(f"{url}confirm/", {"confirmation": "Mentor Canada"}, follow=True)
    assert "already been applied" in text_of(again)
    assert AuditEntry.objects.filter(action=AuditAction.MEMBER_DELETE).count() == 2


def test_delete_leaves_out_members_with_an_open_relationship(
    admin_client, admin, mentor, mentee, relationship, crowd
):
    url = selection_url(start(admin_client, "delete", mentor, crowd[1]))
    preview = text_of(admin_client.get(url))
    assert "1 member will be deleted permanently" in preview
    assert "Has an open relationship" in preview


def test_another_organisations_ids_are_ignored(
    admin_client, org, admin, mentor, outsider, outsider_mentor
):
    url = selection_url(start(admin_client, "deactivate", mentor, outsider_mentor, outsider))
    assert MemberSelection.objects.get().member_ids == [mentor.pk]
    preview = text_of(admin_client.get(url))
    assert "Olive" not in preview and "Oscar" not in preview
    admin_client.post(f"{url}confirm/")
    outsider_mentor.refresh_from_db()
    assert outsider_mentor.is_active and inactive(org) == {"anna@mentor.test"}
    # Only theirs: nobody selected, nothing stored.
    response = start(admin_client, "delete", outsider_mentor)
    assert response["Location"] == "/manage/members/"
    assert MemberSelection.objects.count() == 1
    assert User.objects.get(pk=outsider_mentor.pk).deleted_at is None


@pytest.fixture
def ours(admin, mentor) -> MemberSelection:
    from programs import member_selection

    return member_selection.member_selection_prepare(
        actor=admin, action="message", member_ids=[mentor.pk]
    )


def test_an_outsider_gets_404_for_our_selection(client, outsider, ours, mentor):
    client.force_login(outsider)
    url = f"{START}{ours.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}confirm/").status_code == 404
    assert client.get(f"/manage/messages/new/?selection={ours.pk}").status_code == 404
    ours.refresh_from_db()
    assert ours.status == "validated"
    # Their own start with our member's id: nobody of theirs, nothing stored.
    client.post(START, {"action": "deactivate", "member": [mentor.pk]})
    assert MemberSelection.objects.count() == 1 and User.objects.get(pk=mentor.pk).is_active


@pytest.mark.parametrize("who", ["mentor", "mentee"])
def test_mentors_and_mentees_get_404(client, request, ours, who):
    client.force_login(request.getfixturevalue(who))
    url = f"{START}{ours.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(f"{url}confirm/").status_code == 404
    assert (
        client.post(START, {"action": "deactivate", "member": [ours.member_ids[0]]}).status_code
        == 404
    )
    assert MemberSelection.objects.count() == 1


@pytest.mark.parametrize("n", [5, 60])
def test_the_preview_costs_the_same_queries_whatever_its_size(
    admin_client, org, admin, n, django_assert_num_queries
):
    people = [
        make_member(org, f"s{i}@mentor.test", f"Sam{i}", f"Name{i:03d}", Role.MENTEE)
        for i in range(n)
    ]
    admins = [
        make_member(org, f"a{i}@mentor.test", f"Ad{i}", f"Min{i:03d}", Role.ADMINISTRATOR)
        for i in range(n)
    ]
    url = selection_url(start(admin_client, "deactivate", *people, *admins))
    admin_client.get(url)  # session warm
    # Session, administrator with their organisation (the header), selection, the
    # page's names (one query for both tables), the bell.
    with django_assert_num_queries(5):
        preview = admin_client.get(url)
    html = text_of(preview)
    assert f"{n} members will be deactivated" in html
    assert html.count('<tr data-member="') == 2 * min(n, 50)


def test_in_french(admin_client, admin, org, mentor, mentee, crowd):
    """Needs the French catalogue merged from /work/briefs/fr_selection.json."""
    admin.language = "fr"
    admin.save(update_fields=["language"])
    html = text_of(admin_client.get("/manage/members/?role=mentor&size=10"))
    assert 'aria-label="Sélectionner Anna Carter"' in html
    assert "Sélectionner les 31 membres correspondant au filtre" in html
    assert ">Envoyer un message</button>" in html and ">Réactiver</button>" in html
    url = selection_url(start(admin_client, "delete", mentor, crowd[0], admin))
    preview = text_of(admin_client.get(url))
    assert "Supprimer définitivement les membres sélectionnés" in preview
    assert "2 membres seront supprimés définitivement" in preview
    assert "A une relation en cours" not in preview  # no relationship here
    assert "C'est votre propre compte." in preview
