from __future__ import annotations

from django.urls import path

from web.views import (
    audit,
    auth,
    cohort,
    community,
    conversation,
    cycle,
    email_log,
    evaluation,
    join,
    manage,
    meetings_admin,
    meetings_member,
    member,
    member_filters,
    member_import,
    member_selection,
    notifications,
    organisation,
    profiles,
    report_archives,
    reports,
    staff,
    statistics,
    surveys,
    system_messages,
    workspace,
)

app_name = "web"

urlpatterns = [
    path("", member.home, name="home"),
    path("profile/", member.profile, name="profile"),
    path("language/", member.set_language, name="set_language"),
    # Sign-in
    path("login/", auth.SignInView.as_view(), name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/sent/", auth.password_reset_done, name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path(
        "welcome/<uidb64>/<token>/",
        auth.password_setup,
        name="password_setup",
    ),
    path("unlock/", auth.unlock_request, name="unlock_request"),
    path("unlock/<str:token>/", auth.unlock_confirm, name="unlock_confirm"),
    # Sign-up through an invitation link («Lien d'invitation»)
    path("join/sent/", join.join_sent, name="join_sent"),
    path("join/verify/again/", join.join_resend, name="join_resend"),
    path("join/verify/<str:token>/", join.join_verify, name="join_verify"),
    path("join/<str:token>/", join.join, name="join"),
    # Bell and release notes
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/delete/",
        notifications.notification_delete,
        name="notification_delete",
    ),
    path(
        "notifications/read/", notifications.notifications_mark_all_read, name="notifications_read"
    ),
    path("release-notes/", notifications.release_note_list, name="release_notes"),
    path("release-notes/<int:note_id>/", notifications.release_note_detail, name="release_note"),
    path("staff/release-notes/", notifications.staff_release_notes, name="staff_release_notes"),
    path(
        "staff/release-notes/new/",
        notifications.staff_release_note_edit,
        name="staff_release_note_new",
    ),
    path(
        "staff/release-notes/<int:note_id>/edit/",
        notifications.staff_release_note_edit,
        name="staff_release_note_edit",
    ),
    path(
        "staff/release-notes/<int:note_id>/",
        notifications.staff_release_note_preview,
        name="staff_release_note_preview",
    ),
    path(
        "staff/release-notes/<int:note_id>/publish/",
        notifications.staff_release_note_publish,
        name="staff_release_note_publish",
    ),
    # Meetings (members)
    path("availability/", meetings_member.availability, name="member_availability"),
    path("meetings/", meetings_member.meetings, name="member_meetings"),
    path("meetings/<int:meeting_id>/", meetings_member.meeting_detail, name="member_meeting"),
    path(
        "meetings/<int:meeting_id>/respond/",
        meetings_member.meeting_respond,
        name="member_meeting_respond",
    ),
    path(
        "meetings/<int:meeting_id>/comment/",
        meetings_member.meeting_comment,
        name="member_meeting_comment",
    ),
    path(
        "meetings/calendar/revoke/",
        meetings_member.calendar_feed_revoke,
        name="member_calendar_revoke",
    ),
    path("meetings/rsvp/<str:token>/", meetings_member.rsvp, name="member_rsvp"),
    path("meetings/feedback/<str:token>/", meetings_member.feedback, name="member_feedback"),
    path("meetings/feed/<str:token>.ics", meetings_member.calendar_feed, name="member_feed"),
    # Meetings (admin)
    path("manage/relationships/meetings/", meetings_admin.meetings_list, name="meetings_admin"),
    path(
        "manage/relationships/phone-calls/",
        meetings_admin.meetings_list,
        {"phone": True},
        name="phone_calls_admin",
    ),
    path(
        "manage/relationships/<int:relationship_id>/",
        meetings_admin.relationship_dashboard,
        name="relationship_dashboard",
    ),
    path(
        "manage/relationships/<int:relationship_id>/availability/<int:user_id>/",
        meetings_admin.availability_edit,
        name="relationship_availability",
    ),
    path(
        "manage/relationships/<int:relationship_id>/notes/",
        meetings_admin.relationship_notes,
        name="relationship_notes",
    ),
    path(
        "manage/relationships/<int:relationship_id>/book/",
        meetings_admin.meeting_book,
        name="meeting_book",
    ),
    path(
        "manage/relationships/<int:relationship_id>/slots/",
        meetings_admin.meeting_slots,
        name="meeting_slots",
    ),
    path(
        "manage/meetings/<int:meeting_id>/cancel/",
        meetings_admin.meeting_cancel,
        name="meeting_cancel",
    ),
    path(
        "manage/meetings/<int:meeting_id>/reschedule/",
        meetings_admin.meeting_reschedule,
        name="meeting_reschedule",
    ),
    # Administrator
    path(
        "relationships/<int:relationship_id>/conversation/",
        conversation.conversation_page,
        name="conversation",
    ),
    path(
        "relationships/<int:relationship_id>/conversation/older/",
        conversation.older,
        name="conversation_older",
    ),
    path(
        "relationships/<int:relationship_id>/conversation/since/",
        conversation.catch_up,
        name="conversation_since",
    ),
    path(
        "relationships/<int:relationship_id>/conversation/<int:post_id>/edit/",
        conversation.post_edit,
        name="conversation_post_edit",
    ),
    path(
        "relationships/<int:relationship_id>/conversation/<int:post_id>/delete/",
        conversation.post_delete,
        name="conversation_post_delete",
    ),
    path(
        "manage/relationships/conversations/",
        conversation.conversations_tab,
        name="conversations_admin",
    ),
    path(
        "manage/relationships/<int:relationship_id>/conversation/",
        conversation.admin_conversation,
        name="conversation_admin",
    ),
    path("manage/", manage.dashboard, name="manage"),
    path("manage/members/", manage.members, name="members"),
    path("manage/members/lookup/", manage.member_lookup, name="member_lookup"),
    path("manage/members/saved/", member_filters.saved_filter_save, name="saved_filter_save"),
    path(
        "manage/members/saved/<int:saved_id>/",
        member_filters.saved_filter_open,
        name="saved_filter",
    ),
    path(
        "manage/members/saved/<int:saved_id>/delete/",
        member_filters.saved_filter_delete,
        name="saved_filter_delete",
    ),
    path("manage/members/new/", join.member_new, name="member_new"),
    path("manage/members/<int:member_id>/", manage.member_detail, name="member"),
    path("manage/members/<int:member_id>/action/", manage.member_action, name="member_action"),
    path(
        "manage/invitation-links/<str:role>/",
        join.invitation_link_change,
        name="invitation_link_change",
    ),
    path("manage/audit/", audit.audit_log, name="audit_log"),
    path("manage/reports/", reports.reports, name="reports"),
    path("manage/reports/custom/", reports.report_custom, name="report_custom"),
    path(
        "manage/reports/archives/",
        report_archives.report_archive_start,
        name="report_archive_start",
    ),
    path(
        "manage/reports/archives/<int:archive_id>/progress/",
        report_archives.report_archive_progress,
        name="report_archive_progress",
    ),
    path(
        "manage/reports/archives/<int:archive_id>/download/",
        report_archives.report_archive_download,
        name="report_archive_download",
    ),
    path("manage/reports/<str:key>/download/", reports.report_download, name="report_download"),
    path("manage/members/<int:member_id>/active/", manage.member_set_active, name="member_active"),
    # Profiles, custom fields and completion (F11)
    path("manage/members/<int:member_id>/edit/", profiles.member_edit, name="member_edit"),
    path(
        "manage/members/recalculate/",
        profiles.completion_recalculate,
        name="completion_recalculate",
    ),
    path("manage/members/reminder/", profiles.reminder, name="profile_reminder"),
    path("manage/fields/", profiles.fields, name="fields"),
    path("manage/fields/new/", profiles.field_edit, name="field_new"),
    path("manage/fields/<int:field_id>/", profiles.field_edit, name="field_edit"),
    path("manage/fields/<int:field_id>/delete/", profiles.field_delete, name="field_delete"),
    path("manage/fields/<int:field_id>/move/", profiles.field_move, name="field_move"),
    path("manage/relationships/", manage.relationships, name="relationships"),
    path("manage/relationships/new/", manage.relationship_new, name="relationship_new"),
    path(
        "manage/relationships/<int:relationship_id>/end/",
        manage.relationship_end,
        name="relationship_end",
    ),
    path("manage/groups/", manage.groups, name="groups"),
    path("manage/groups/<int:group_id>/", manage.group_detail, name="group"),
    # Community messages (F8)
    path("manage/messages/", community.community_messages, name="community_messages"),
    path("manage/messages/new/", community.community_message_new, name="community_message_new"),
    path(
        "manage/messages/recipients/",
        community.community_recipient_count,
        name="community_recipient_count",
    ),
    path(
        "manage/messages/<int:message_id>/",
        community.community_message_preview,
        name="community_message_preview",
    ),
    path(
        "manage/messages/<int:message_id>/frame/",
        community.community_message_preview_frame,
        name="community_message_preview_frame",
    ),
    path(
        "manage/messages/<int:message_id>/recipients/",
        community.community_message_recipient_lookup,
        name="community_message_recipients",
    ),
    path(
        "manage/messages/<int:message_id>/edit/",
        community.community_message_edit,
        name="community_message_edit",
    ),
    path(
        "manage/messages/<int:message_id>/send/",
        community.community_message_send,
        name="community_message_send",
    ),
    path(
        "manage/messages/<int:message_id>/cancel/",
        community.community_message_cancel,
        name="community_message_cancel",
    ),
    path(
        "manage/messages/<int:message_id>/delete/",
        community.community_message_delete,
        name="community_message_delete",
    ),
    # Program evaluation («Évaluation du programme») and surveys («Sondages»)
    path("manage/evaluation/", evaluation.evaluation_admin, name="evaluation_admin"),
    path(
        "manage/evaluation/questions/new/",
        evaluation.evaluation_question_edit,
        name="evaluation_question_new",
    ),
    path(
        "manage/evaluation/questions/<int:question_id>/",
        evaluation.evaluation_question_edit,
        name="evaluation_question_edit",
    ),
    path(
        "manage/evaluation/questions/<int:question_id>/delete/",
        evaluation.evaluation_question_delete,
        name="evaluation_question_delete",
    ),
    path(
        "manage/evaluation/questions/<int:question_id>/move/",
        evaluation.evaluation_question_move,
        name="evaluation_question_move",
    ),
    path("manage/evaluation/remind/", evaluation.evaluation_remind, name="evaluation_remind"),
    path(
        "manage/relationships/<int:relationship_id>/evaluation/",
        evaluation.evaluation_request,
        name="evaluation_request",
    ),
    path("evaluations/<int:request_id>/", evaluation.evaluation_answer, name="evaluation_answer"),
    path("manage/surveys/", surveys.survey_list, name="surveys"),
    path("manage/surveys/new/", surveys.survey_edit, name="survey_new"),
    path("manage/surveys/<int:survey_id>/", surveys.survey_edit, name="survey_edit"),
    path(
        "manage/surveys/<int:survey_id>/questions/new/",
        surveys.survey_question_edit,
        name="survey_question_new",
    ),
    path(
        "manage/surveys/<int:survey_id>/questions/<int:question_id>/",
        surveys.survey_question_edit,
        name="survey_question_edit",
    ),
    path(
        "manage/surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        surveys.survey_question_delete,
        name="survey_question_delete",
    ),
    path(
        "manage/surveys/<int:survey_id>/questions/<int:question_id>/move/",
        surveys.survey_question_move,
        name="survey_question_move",
    ),
    path("manage/surveys/<int:survey_id>/send/", surveys.survey_send, name="survey_send"),
    path("manage/surveys/<int:survey_id>/remind/", surveys.survey_remind, name="survey_remind"),
    path("manage/surveys/<int:survey_id>/close/", surveys.survey_close, name="survey_close"),
    path("manage/surveys/<int:survey_id>/results/", surveys.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/", surveys.survey_answer, name="survey_answer"),
    path("manage/email-log/", email_log.email_log, name="email_log"),
    path("manage/statistics/", statistics.statistics, name="statistics"),
    path(
        "manage/email-log/download/",
        email_log.email_log_download,
        name="email_log_download",
    ),
    path("manage/system-messages/", system_messages.system_messages, name="system_messages"),
    path(
        "manage/system-messages/<slug:key>/",
        system_messages.system_message,
        name="system_message",
    ),
    path(
        "manage/system-messages/<slug:key>/preview/",
        system_messages.system_message_preview,
        name="system_message_preview",
    ),
    path(
        "manage/system-messages/<slug:key>/preview/<str:language>/",
        system_messages.system_message_preview_frame,
        name="system_message_preview_frame",
    ),
    path(
        "manage/system-messages/<slug:key>/active/",
        system_messages.system_message_active,
        name="system_message_active",
    ),
    # Member import («Importer des membres»)
    path("manage/members/import/", member_import.member_import, name="member_import"),
    path(
        "manage/members/import/sample.csv",
        member_import.member_import_sample,
        name="member_import_sample",
    ),
    path(
        "manage/members/import/<int:import_id>/",
        member_import.member_import_detail,
        name="member_import_detail",
    ),
    path(
        "manage/members/import/<int:import_id>/confirm/",
        member_import.member_import_confirm,
        name="member_import_confirm",
    ),
    path(
        "manage/members/import/<int:import_id>/progress/",
        member_import.member_import_progress,
        name="member_import_progress",
    ),
]

# Organisations: platform staff's desk, an administrator's own organisation, the logo.
urlpatterns += [
    path("staff/organisations/", staff.organisation_list, name="staff_organisations"),
    path("staff/organisations/new/", staff.organisation_new, name="staff_organisation_new"),
    path(
        "staff/organisations/<int:organisation_id>/",
        staff.organisation_detail,
        name="staff_organisation",
    ),
    path("manage/settings/", organisation.organisation_settings, name="organisation_settings"),
    path("manage/settings/logo/", organisation.organisation_logo, name="organisation_logo_set"),
    path(
        "manage/settings/logo/remove/",
        organisation.organisation_logo_remove,
        name="organisation_logo_remove",
    ),
    path(
        "manage/administrators/",
        organisation.administrators,
        name="organisation_administrators",
    ),
    # Not under /o/: server/asgi.py hands that whole prefix to the public Starlette app
    # (the open-tracking pixel).
    path("org/<slug:slug>/logo/<int:version>/", organisation.logo, name="organisation_logo"),
]

# The relationship workspace (issue 11): goals, agreement, one's own notes.
urlpatterns += [
    path("relationships/<int:relationship_id>/", workspace.workspace, name="workspace"),
    path(
        "relationships/<int:relationship_id>/goals/", workspace.goal_add, name="workspace_goal_add"
    ),
    path(
        "relationships/<int:relationship_id>/goals/<int:goal_id>/",
        workspace.goal_edit,
        name="workspace_goal_edit",
    ),
    path(
        "relationships/<int:relationship_id>/goals/<int:goal_id>/status/",
        workspace.goal_status,
        name="workspace_goal_status",
    ),
    path(
        "relationships/<int:relationship_id>/goals/<int:goal_id>/move/",
        workspace.goal_move,
        name="workspace_goal_move",
    ),
    path(
        "relationships/<int:relationship_id>/goals/<int:goal_id>/delete/",
        workspace.goal_delete,
        name="workspace_goal_delete",
    ),
    path(
        "relationships/<int:relationship_id>/agreement/",
        workspace.agreement_answer,
        name="workspace_agreement_answer",
    ),
    path(
        "relationships/<int:relationship_id>/agreement/sign/",
        workspace.agreement_sign,
        name="workspace_agreement_sign",
    ),
    path("relationships/<int:relationship_id>/notes/", workspace.note_save, name="workspace_notes"),
    path("manage/agreement/", workspace.agreement_template, name="agreement_template"),
]

# Closing a cohort: «Désactiver les membres» from a file, «Terminer toutes les relations»,
# «Supprimer un membre définitivement» (web/views/cohort.py).
urlpatterns += [
    path("manage/members/deactivate/", cohort.member_deactivate, name="member_deactivate"),
    path(
        "manage/members/deactivate/sample.csv",
        cohort.member_deactivate_sample,
        name="member_deactivate_sample",
    ),
    path(
        "manage/members/deactivate/<int:deactivation_id>/",
        cohort.member_deactivate_detail,
        name="member_deactivate_detail",
    ),
    path(
        "manage/members/deactivate/<int:deactivation_id>/confirm/",
        cohort.member_deactivate_confirm,
        name="member_deactivate_confirm",
    ),
    path(
        "manage/members/<int:member_id>/delete/",
        cohort.member_delete_view,
        name="member_delete",
    ),
    path(
        "manage/relationships/end-all/",
        cohort.relationships_end_prepare,
        name="relationships_end_prepare",
    ),
    path(
        "manage/relationships/end-all/<int:ending_id>/",
        cohort.relationships_end_detail,
        name="relationships_end_detail",
    ),
    path(
        "manage/relationships/end-all/<int:ending_id>/confirm/",
        cohort.relationships_end_confirm,
        name="relationships_end_confirm",
    ),
]

# Selection actions on the members list: the ticked members (or all matching the filter)
# previewed, then deactivated, reactivated, added to a group, written to or deleted
# (web/views/member_selection.py).
urlpatterns += [
    path(
        "manage/members/selection/",
        member_selection.member_selection_start,
        name="member_selection_start",
    ),
    path(
        "manage/members/selection/<int:selection_id>/",
        member_selection.member_selection_detail,
        name="member_selection",
    ),
    path(
        "manage/members/selection/<int:selection_id>/confirm/",
        member_selection.member_selection_confirm,
        name="member_selection_confirm",
    ),
]

# «Terminer le cycle»: the guided end of cycle (web/views/cycle.py, reports.cycle).
urlpatterns += [
    path("manage/cycle/", cycle.cycle_page, name="cycle"),
    path("manage/cycle/start/", cycle.cycle_start, name="cycle_start"),
    path("manage/cycle/<int:run_id>/archive/", cycle.cycle_archive, name="cycle_archive"),
    path("manage/cycle/<int:run_id>/end/", cycle.cycle_end_preview, name="cycle_end_preview"),
    path(
        "manage/cycle/<int:run_id>/end/confirm/",
        cycle.cycle_end_confirm,
        name="cycle_end_confirm",
    ),
    path("manage/cycle/<int:run_id>/stay/", cycle.cycle_stay, name="cycle_stay"),
    path(
        "manage/cycle/<int:run_id>/remove/", cycle.cycle_remove_preview, name="cycle_remove_preview"
    ),
    path(
        "manage/cycle/<int:run_id>/remove/confirm/",
        cycle.cycle_remove_confirm,
        name="cycle_remove_confirm",
    ),
    path("manage/cycle/<int:run_id>/reimport/", cycle.cycle_reimport_done, name="cycle_reimport"),
    path("manage/cycle/<int:run_id>/finish/", cycle.cycle_finish, name="cycle_finish"),
    path("manage/cycle/<int:run_id>/stop/", cycle.cycle_abandon, name="cycle_abandon"),
]
