"""«Terminer le cycle» in the browser's place: the page offers the three methods, then
shows the steps with their state and the current step's preview by name; each action
goes through the page's forms; reopening the page resumes; an outsider's or a mentor's
request is a 404 on every page and action, nothing changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Relationship, RelationshipStatus, User
from reports.models import CycleRun

PAGE = reverse("web:cycle")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def actions(run_id: int) -> list[str]:
    return [
        reverse(f"web:{name}", args=[run_id])
        for name in (
            "cycle_archive",
            "cycle_end_preview",
            "cycle_end_confirm",
            "cycle_stay",
            "cycle_remove_preview",
            "cycle_remove_confirm",
            "cycle_reimport",
            "cycle_finish",
            "cycle_abandon",
        )
    ]


def test_walk_the_flow_through_the_page(
    admin_client, admin, mentor, mentee, relationship, django_capture_on_commit_callbacks
):
    page = admin_client.get(PAGE)
    assert page.status_code == 200
    assert "Keep some members" in page.content.decode()
    admin_client.post(reverse("web:cycle_start"), {"method": "keep"})
    run = CycleRun.objects.get()
    page = admin_client.get(PAGE).content.decode()
    assert 'data-cycle-step="archive" data-state="todo"' in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("web:cycle_archive", args=[run.pk]))
    page = admin_client.get(PAGE).content.decode()
    assert 'data-cycle-step="archive" data-state="done"' in page
    assert reverse("web:report_archive_download", args=[CycleRun.objects.get().archive_id]) in page
    admin_client.post(reverse("web:cycle_end_preview", args=[run.pk]))
    page = admin_client.get(PAGE).content.decode()
    assert "1 relationship will end" in page and "Anna Carter" in page
    assert Relationship.objects.get().status == RelationshipStatus.MATCHED
    admin_client.post(reverse("web:cycle_end_confirm", args=[run.pk]))
    assert Relationship.objects.get().status == RelationshipStatus.COMPLETED
    page = admin_client.get(PAGE).content.decode()
    assert f'id="keep-{mentor.pk}"' in page and f'id="keep-{admin.pk}"' not in page
    admin_client.post(reverse("web:cycle_stay", args=[run.pk]), {"keep": [str(mentor.pk)]})
    admin_client.post(reverse("web:cycle_remove_preview", args=[run.pk]), {"action": "deactivate"})
    page = admin_client.get(PAGE).content.decode()
    assert "1 member will be deactivated" in page
    assert f'data-member="{mentee.pk}"' in page and f'data-member="{mentor.pk}"' not in page
    admin_client.post(reverse("web:cycle_remove_confirm", args=[run.pk]))
    assert not User.objects.get(pk=mentee.pk).is_active
    assert User.objects.get(pk=mentor.pk).is_active and User.objects.get(pk=admin.pk).is_active
    page = admin_client.get(PAGE).content.decode()
    assert "Every step is done" in page
    response = admin_client.post(reverse("web:cycle_finish", args=[run.pk]))
    assert response.status_code == 302
    assert CycleRun.objects.get().finished_at is not None
    # Finished: the page offers the methods again.
    assert 'name="method"' in admin_client.get(PAGE).content.decode()


def test_a_refused_step_says_why_and_changes_nothing(admin_client, relationship):
    admin_client.post(reverse("web:cycle_start"), {"method": "full"})
    run = CycleRun.objects.get()
    response = admin_client.post(reverse("web:cycle_end_preview", args=[run.pk]), follow=True)
    assert "Finish the steps before this one first." in response.content.decode()
    assert CycleRun.objects.get().ending_id is None
    response = admin_client.post(reverse("web:cycle_start"), {"method": "keep"}, follow=True)
    assert "already under way" in response.content.decode()
    assert CycleRun.objects.count() == 1


def test_the_dashboard_and_reports_link_to_it(admin_client):
    assert PAGE in admin_client.get(reverse("web:manage")).content.decode()
    assert PAGE in admin_client.get(reverse("web:reports")).content.decode()


def test_outsider_and_mentor_get_404_everywhere(client, admin, outsider, mentor, relationship):
    from reports import cycle

    run = cycle.cycle_start(actor=admin, method="full")
    for person in (outsider, mentor):
        client.force_login(person)
        if person is mentor:
            assert client.get(PAGE).status_code == 404
            assert client.post(reverse("web:cycle_start"), {"method": "full"}).status_code == 404
        for url in actions(run.pk):
            assert client.post(url, {"action": "delete", "keep": ["1"]}).status_code == 404
    run.refresh_from_db()
    assert run.archive_id is None and run.ending_id is None and run.keep_ids == []
    assert CycleRun.objects.count() == 1
    # The outsider's own page knows nothing of this run.
    client.force_login(outsider)
    assert f"/manage/cycle/{run.pk}/" not in client.get(PAGE).content.decode()


def test_page_queries_do_not_grow_with_members(admin_client, admin, org, django_assert_num_queries):
    from programs.models import Role
    from reports import cycle
    from tests.conftest import make_member

    run = cycle.cycle_start(actor=admin, method="keep")
    CycleRun.objects.filter(pk=run.pk).update(states={"archive": "done", "end": "done"})
    for i in range(30):
        make_member(org, f"p{i}@mentor.test", f"P{i}", "Zed", Role.MENTEE)
    # Session, user (with their organisation), run, states, members to tick, saved
    # searches…: 7 whatever the size.
    with django_assert_num_queries(7):
        assert admin_client.get(PAGE).status_code == 200


def test_keep_everyone_a_saved_search_finds(
    admin_client, admin, org, mentor, mentee, relationship, outsider
):
    from programs import saved_filters
    from reports import cycle
    from reports.models import CycleMethod

    run = cycle.cycle_start(actor=admin, method=CycleMethod.KEEP)
    CycleRun.objects.filter(pk=run.pk).update(states={"archive": "done", "end": "done"})
    mentors = saved_filters.saved_filter_save(actor=admin, name="Mentors", query="role=mentor")
    page = admin_client.get(PAGE).content.decode()
    assert f'<option value="{mentors.pk}">Mentors</option>' in page
    admin_client.post(reverse("web:cycle_stay", args=[run.pk]), {"saved": str(mentors.pk)})
    run.refresh_from_db()
    assert run.keep_ids == [mentor.pk]
    # Another administrator's saved search is not found: nothing changes.
    theirs = saved_filters.saved_filter_save(actor=outsider, name="Theirs", query="")
    response = admin_client.post(
        reverse("web:cycle_stay", args=[run.pk]), {"saved": str(theirs.pk)}
    )
    assert response.status_code == 404
    run.refresh_from_db()
    assert run.keep_ids == [mentor.pk]


def test_in_french(admin_client, admin, mentor, relationship):
    """Needs the French catalogue merged from /work/briefs/fr_cycle.json."""
    admin.language = "fr"
    admin.save(update_fields=["language"])
    page = admin_client.get(PAGE).content.decode()
    assert "<h1>Terminer le cycle</h1>" in page
    assert "Conservation de certains membres du programme et de leurs données" in page
    assert "Comment voulez-vous terminer le cycle?" in page
    admin_client.post(reverse("web:cycle_start"), {"method": "full"})
    page = admin_client.get(PAGE).content.decode()
    assert "Archiver l&#x27;année" in page or "Archiver l'année" in page
    assert "À faire" in page


def test_stop_a_run_from_the_page(admin_client, admin):
    admin_client.post(reverse("web:cycle_start"), {"method": "keep"})
    run = CycleRun.objects.get()
    response = admin_client.post(reverse("web:cycle_abandon", args=[run.pk]), follow=True)
    assert "This end of cycle was stopped." in response.content.decode()
    assert CycleRun.objects.get().finished_at is not None
    admin_client.post(reverse("web:cycle_start"), {"method": "full"})
    assert CycleRun.objects.filter(finished_at__isnull=True, method="full").count() == 1


def test_a_large_program_is_told_to_choose_by_a_saved_search(admin_client, admin, org, monkeypatch):
    from programs.models import Role
    from reports import cycle
    from tests.conftest import make_member
    from web.views import cycle as cycle_views

    run = cycle.cycle_start(actor=admin, method="keep")
    CycleRun.objects.filter(pk=run.pk).update(states={"archive": "done", "end": "done"})
    for i in range(4):
        make_member(org, f"p{i}@mentor.test", f"P{i}", "Zed", Role.MENTEE)
    monkeypatch.setattr(cycle_views, "KEEP_LIST", 3)
    page = admin_client.get(PAGE).content.decode()
    assert page.count('name="keep"') == 3
    assert "Only the first 3 members are listed" in page
