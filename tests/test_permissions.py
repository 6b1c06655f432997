"""One permission rule for every service (programs.permissions): an administrator of the
organisation, active, may act; a member of it may not ("forbidden"); for anyone else the
object does not exist ("not_found"); a deactivated administrator is always refused."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from feedback import evaluation, surveys
from feedback.models import EvaluationQuestion, Survey, SurveyQuestion
from feedback.questions import QuestionData
from notifications.community import services as community
from notifications.models import Audience, CommunityMessage, ReleaseNote, SystemMessage
from notifications.release_notes import services as release_notes
from notifications.system_messages import services as system_messages
from programs import (
    invitations,
    member_deactivation,
    member_delete,
    member_selection,
    organisations,
    profile_fields,
    profile_services,
    relationships_end_all,
    saved_filters,
    services,
)
from programs.errors import DomainError
from programs.models import (
    AuditEntry,
    InvitationLink,
    MemberDeactivation,
    MemberGroup,
    MemberSelection,
    ProfileField,
    ProfileFieldValue,
    Relationship,
    RelationshipEnding,
    RelationshipStatus,
    SavedMemberFilter,
    User,
)
from programs.permissions import require_org_admin, require_staff
from reports import cycle
from reports.models import CycleRun
from scheduling import services as scheduling
from scheduling.models import Availability, MeetingSeries
from workspace import conversation
from workspace import services as workspace
from workspace.agreement import DEFAULT_SECTIONS
from workspace.models import AgreementTemplate

pytestmark = pytest.mark.django_db

WORDING = {"subject_en": "S", "body_en": "B", "subject_fr": "S", "body_fr": "B"}


def actions(relationship: Relationship, mentor: User, message: CommunityMessage):
    """Every administrator's use case, as (name, call with an actor)."""
    group = MemberGroup.objects.create(organisation_id=relationship.organisation_id, name="G")
    start = timezone.now() + datetime.timedelta(days=3)
    field = ProfileField.objects.create(
        organisation_id=relationship.organisation_id, name_en="F", kind="text"
    )
    owner = User.objects.filter(organisation_id=relationship.organisation_id, role="admin")
    saved = SavedMemberFilter.objects.create(
        owner=owner.earliest("pk"), organisation_id=relationship.organisation_id, name="S"
    )
    deactivation = MemberDeactivation.objects.create(
        organisation_id=relationship.organisation_id, member_ids=[mentor.pk]
    )
    ending = RelationshipEnding.objects.create(
        organisation_id=relationship.organisation_id,
        relationship_ids=[relationship.pk],
        total=1,
    )
    selection = MemberSelection.objects.create(
        organisation_id=relationship.organisation_id, action="deactivate", member_ids=[mentor.pk]
    )
    field_data = profile_fields.FieldData(
        name_en="G", kind="text", for_mentors=True, for_mentees=True
    )
    question = EvaluationQuestion.objects.create(
        organisation_id=relationship.organisation_id, text_en="Q", kind="text"
    )
    survey = Survey.objects.create(organisation_id=relationship.organisation_id, title_en="S")
    survey_question = SurveyQuestion.objects.create(survey=survey, text_en="Q", kind="text")
    text = QuestionData(text_en="Q2", kind="text")
    run = CycleRun.objects.create(organisation_id=relationship.organisation_id, method="keep")
    return [
        ("evaluation question", lambda a: evaluation.evaluation_question_save(
            actor=a, data=text, for_mentors=True, for_mentees=True, question=question,
        )),
        ("evaluation question delete", lambda a: evaluation.evaluation_question_delete(
            actor=a, question=question,
        )),
        ("evaluation question move", lambda a: evaluation.evaluation_question_move(
            actor=a, question=question, direction="up",
        )),
        ("evaluation request", lambda a: evaluation.evaluation_request(actor=a, relationship=relationship)),
        ("survey edit", lambda a: surveys.survey_save(
            actor=a, data=surveys.SurveyData(title_en="T"), survey=survey,
        )),
        ("survey question", lambda a: surveys.survey_question_save(actor=a, survey=survey, data=text)),
        ("survey question delete", lambda a: surveys.survey_question_delete(
            actor=a, question=survey_question,
        )),
        ("survey send", lambda a: surveys.survey_send(actor=a, survey=survey)),
        ("survey remind", lambda a: surveys.survey_reminders_send(actor=a, survey=survey)),
        ("survey close", lambda a: surveys.survey_close(actor=a, survey=survey)),
        ("profile", lambda a: profile_services.profile_update(
            actor=a, member=mentor, builtin={"city": "X"}, custom={field.pk: "x"},
        )),
        ("field edit", lambda a: profile_fields.field_save(actor=a, data=field_data, field=field)),
        ("field delete", lambda a: profile_fields.field_delete(actor=a, field=field)),
        ("field move", lambda a: profile_fields.field_move(actor=a, field=field, direction="up")),
        ("deactivate", lambda a: services.member_set_active(actor=a, member=mentor, active=False)),
        ("member admin", lambda a: services.member_set_administrator(actor=a, member=mentor, administrator=None)),
        ("resend login", lambda a: services.member_login_information_resend(actor=a, member=mentor)),
        ("change role", lambda a: services.member_change_role(actor=a, member=mentor, role="mentee")),
        ("end", lambda a: services.relationship_end(actor=a, relationship=relationship)),
        ("deactivate from a file", lambda a: member_deactivation.members_set_active_many(
            actor=a, deactivation=deactivation,
        )),
        ("end all", lambda a: relationships_end_all.relationships_end_confirm(actor=a, ending=ending)),
        ("delete permanently", lambda a: member_delete.member_delete_permanently(
            actor=a, member=mentor, confirmation=relationship.organisation.name_en,
        )),
        ("selection", lambda a: member_selection.selection_get(actor=a, selection_id=selection.pk)),
        ("selection apply", lambda a: member_selection.member_selection_apply(
            actor=a, selection=selection,
        )),
        ("group members", lambda a: services.group_set_members(actor=a, group=group, member_ids=[])),
        ("community send", lambda a: community.community_message_send(actor=a, message=message)),
        ("community delete", lambda a: community.community_message_delete(actor=a, message=message)),
        ("book", lambda a: scheduling.meeting_book(
            actor=a, relationship=relationship, duration_minutes=60, meeting_type="video",
            start=start,
        )),
        ("settings", lambda a: organisations.organisation_update(
            actor=a, organisation=relationship.organisation, name_en="Taken",
        )),
        ("logo", lambda a: organisations.organisation_logo_set(
            actor=a, organisation=relationship.organisation, content=b"\x89PNG\r\n\x1a\n",
        )),
        ("logo remove", lambda a: organisations.organisation_logo_remove(
            actor=a, organisation=relationship.organisation,
        )),
        ("availability", lambda a: scheduling.availability_set_by_admin(
            actor=a, user=mentor, ranges=[(0, datetime.time(9), datetime.time(12))],
        )),
        ("agreement template", lambda a: workspace.agreement_template_set(
            actor=a, organisation_id=relationship.organisation_id, sections=DEFAULT_SECTIONS,
        )),
        # Reading private notes and conversations, with the organisation allowing it.
        ("notes read", lambda a: workspace.notes_admin_read(
            actor=a, relationship=_reading_allowed(relationship),
        )),
        ("conversation read", lambda a: conversation.conversation_admin_read(
            actor=a, relationship=_reading_allowed(relationship),
        )),
        ("saved filter use", lambda a: saved_filters.saved_filter_use(actor=a, saved=saved)),
        ("saved filter delete", lambda a: saved_filters.saved_filter_delete(actor=a, saved=saved)),
        ("cycle get", lambda a: cycle.cycle_get(actor=a, run_id=run.pk)),
        ("cycle archive", lambda a: cycle.cycle_archive(actor=a, run=run)),
        ("cycle end preview", lambda a: cycle.cycle_end_preview(actor=a, run=run)),
        ("cycle end confirm", lambda a: cycle.cycle_end_confirm(actor=a, run=run)),
        ("cycle stay", lambda a: cycle.cycle_stay(actor=a, run=run, keep_ids=[mentor.pk])),
        ("cycle remove preview", lambda a: cycle.cycle_remove_preview(
            actor=a, run=run, action="delete",
        )),
        ("cycle remove confirm", lambda a: cycle.cycle_remove_confirm(actor=a, run=run)),
        ("cycle reimport", lambda a: cycle.cycle_reimport_done(actor=a, run=run)),
        ("cycle finish", lambda a: cycle.cycle_finish(actor=a, run=run)),
        ("cycle stop", lambda a: cycle.cycle_abandon(actor=a, run=run)),
    ]  # fmt: skip


def _reading_allowed(relationship: Relationship) -> Relationship:
    relationship.organisation.notes_in_reports = True
    relationship.organisation.messages_in_reports = True
    return relationship


def snapshot(org) -> tuple:
    return (
        list(User.objects.filter(organisation=org).values_list("pk", "is_active", "member_administrator", "role")),
        AuditEntry.objects.count(),
        list(InvitationLink.objects.values_list("pk", "token", "is_active")),
        list(Relationship.objects.values_list("pk", "status")),
        list(MemberGroup.objects.values_list("pk", "members")),
        list(CommunityMessage.objects.values_list("pk", "status")),
        MeetingSeries.objects.count(),
        SystemMessage.objects.count(),
        list(User.objects.filter(organisation=org).values_list("pk", "city")),
        list(ProfileField.objects.values_list("pk", "name_en", "position")),
        ProfileFieldValue.objects.count(),
        Availability.objects.count(),
        AgreementTemplate.objects.count(),
        list(SavedMemberFilter.objects.values_list("pk", "last_used_at")),
        list(MemberSelection.objects.values_list("pk", "status")),
        list(EvaluationQuestion.objects.values_list("pk", "text_en", "position")),
        list(Survey.objects.values_list("pk", "title_en", "status")),
        SurveyQuestion.objects.count(),
        list(CycleRun.objects.values_list("pk", "states", "keep_ids", "archive", "ending", "selection", "finished_at")),
    )  # fmt: skip


@pytest.fixture
def message(admin, mentor) -> CommunityMessage:
    return community.community_message_save(
        actor=admin, audience=Audience.ALL, subject_en="S", body_en="B", subject_fr="", body_fr=""
    )


def test_a_deactivated_administrator_is_refused_by_every_service(
    org, admin, mentor, relationship, message
):
    second = User.objects.create_user(
        "second@mentor.test", "x", organisation=org, role="admin", first_name="S", last_name="A"
    )
    second.is_active = False
    second.save(update_fields=["is_active"])
    calls = actions(relationship, mentor, message)
    before = snapshot(org)
    for name, act in calls:
        with pytest.raises(DomainError) as refused:
            act(second)
        assert refused.value.code == "forbidden", name
    with pytest.raises(DomainError):
        system_messages.system_message_save(actor=second, key="welcome", **WORDING)
    with pytest.raises(DomainError):
        services.group_create(actor=second, name="Mine")
    with pytest.raises(DomainError):
        organisations.administrator_invite(
            actor=second, first_name="A", last_name="B", email="ab@x.test", language="en"
        )
    for own_organisation in (
        lambda: services.member_add(
            actor=second, email="n@x.test", first_name="N", last_name="X", role="mentor"
        ),
        lambda: invitations.invitation_links(actor=second),
        lambda: saved_filters.saved_filter_save(actor=second, name="Mine", query=""),
        lambda: member_selection.member_selection_prepare(
            actor=second, action="deactivate", member_ids=[mentor.pk]
        ),
        lambda: invitations.invitation_link_regenerate(actor=second, role="mentor"),
        lambda: cycle.cycle_start(actor=second, method="full"),
        lambda: invitations.invitation_link_set_active(actor=second, role="mentor", active=False),
    ):
        with pytest.raises(DomainError) as refused:
            own_organisation()
        assert refused.value.code == "forbidden"
    assert snapshot(org) == before
    assert relationship.status == RelationshipStatus.MATCHED


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("outsider", "not_found"), ("mentee", "forbidden")],
    ids=["another organisation's objects do not exist", "a member is forbidden"],
)
def test_only_this_programs_administrators_may_act(
    request, who, refusal, org, mentor, relationship, message
):
    actor = request.getfixturevalue(who)
    calls = actions(relationship, mentor, message)
    before = snapshot(org)
    for name, act in calls:
        with pytest.raises(DomainError) as refused:
            act(actor)
        assert refused.value.code == refusal, name
    assert snapshot(org) == before


def test_the_rule_itself(org, admin, mentor, outsider):
    require_org_admin(admin, organisation_id=org.pk)
    for actor, organisation_id, code in (
        (mentor, org.pk, "forbidden"),
        (outsider, org.pk, "not_found"),
        (admin, None, "not_found"),
        (admin, org.pk + 1000, "not_found"),
    ):
        with pytest.raises(DomainError) as refused:
            require_org_admin(actor, organisation_id=organisation_id)
        assert refused.value.code == code
    admin.is_active = False
    with pytest.raises(DomainError) as refused:
        require_org_admin(admin, organisation_id=org.pk)
    assert refused.value.code == "forbidden"


def test_release_notes_need_active_support_staff(admin):
    staff = User.objects.create_user("staff@tandem.test", "x", is_staff=True)
    note = release_notes.release_note_save(
        actor=staff, date=datetime.date(2026, 1, 5), title_en="T", body_en="## A\n- b"
    )
    for actor in (admin,):
        with pytest.raises(DomainError) as refused:
            release_notes.release_note_publish(actor=actor, note=note)
        assert refused.value.code == "forbidden"
    for call in (
        lambda a: organisations.organisation_visibility_set(
            actor=a, organisation=admin.organisation, notes_in_reports=True,
            messages_in_reports=True,
        ),
        lambda a: organisations.organisation_create(
            actor=a, name_en="N", slug="n", support_email="n@n.test", first_name="F",
            last_name="L", email="f@n.test",
        ),
    ):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            call(admin)
        assert refused.value.code == "forbidden"
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    with pytest.raises(DomainError):
        require_staff(staff)
    with pytest.raises(DomainError):
        organisations.organisation_visibility_set(
            actor=staff,
            organisation=admin.organisation,
            notes_in_reports=True,
            messages_in_reports=True,
        )
    with pytest.raises(DomainError):
        release_notes.release_note_publish(actor=staff, note=note)
    assert ReleaseNote.objects.get(pk=note.pk).published_at is None
