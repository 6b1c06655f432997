"""Accessibility in a real browser: axe-core finds nothing (WCAG 2.0/2.1/2.2 A and AA) on
any page any persona can reach, signed out and signed in, in French and in English, with
forms shown with their errors, and on the error pages.

The test crawls: from each persona's home it follows every link of the site (same origin,
GET, never sign-out, the language switch or a destructive action) and checks one page per
distinct URL pattern (and tab), so a page added later is checked without editing this file.

axe-core comes from npm (package.json). Playwright's `add_script_tag(path=…)` inlines the
file into a `<script>` element, which our Content-Security-Policy refuses (`script-src
'self'`, no inline script) and which `watch_csp` would report; so the file's text is run
with `page.evaluate`, through the DevTools protocol, which the page's policy does not
govern. Nothing is served to real visitors, and the policy stays as strict as in
production."""

from __future__ import annotations

import datetime
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connections
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from feedback import evaluation as feedback_evaluation
from feedback import surveys as feedback_surveys
from feedback.models import EvaluationQuestion, EvaluationRequest, SurveyRecipient
from feedback.questions import QuestionData
from notifications.bell.services import notification_send
from notifications.models import Audience
from notifications.release_notes.demo import release_note_demo_load
from programs import invitations
from programs.demo import (
    ADMINS,
    DEMO_PASSWORD,
    MENTEES,
    MENTORS,
    ORG_SLUG,
    RELATIONSHIPS,
    STAFF_EMAIL,
    demo_load,
)
from programs.models import MemberGroup, Organisation, Relationship, User
from reports.models import ArchiveStatus, CycleMethod, CycleRun, ReportArchive
from scheduling.demo import demo_meetings_load
from tests.conftest import make_member
from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, new_page, sign_in
from workspace import conversation
from workspace import services as workspace_services

pytestmark = [pytest.mark.e2e]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# URL names never followed: they leave the page (sign-out, language), change something,
# or are not pages (downloads, calendar feeds, JSON for scripts, framed email previews).
NOT_FOLLOWED = (
    "logout",
    "set_language",
    "delete",
    "cancel",
    "send",
    "publish",
    "revoke",
    "_end",
    "_active",
    "download",
    "feed",
    "slots",
    "lookup",
    "recipient_count",
    "frame",
)
# Query parameters that pick another view of the same page: each value is its own page.
VIEW_PARAMETERS = ("tab",)
PAGES_PER_PERSONA = 80


def axe_violations(page: Page) -> list[str]:
    """Every violation axe-core finds on the page as it is now: rule, impact, targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results: list[dict[str, Any]] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
        " targets: v.nodes.map(n => n.target.join(' '))})))",
        WCAG_TAGS,
    )
    found = [f"{page.url}: {v['id']} ({v['impact']}) at {', '.join(v['targets'])}" for v in results]
    for line in found:
        print("AXE", line)  # shown with the test's output when it fails
    return found


def page_key(url: str) -> tuple[str, ...] | None:
    """The URL pattern (and view) a link leads to, or None when it is not to be followed."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    name = match.url_name or parts.path
    if any(word in name for word in NOT_FOLLOWED):
        return None
    query = parse_qs(parts.query)
    return (name, *(f"{key}={query[key][0]}" for key in VIEW_PARAMETERS if key in query))


def crawl(page: Page, base: str, seeds: list[str]) -> tuple[list[str], list[str]]:
    """Visit one page per pattern reachable from `seeds`; the violations and the pages seen."""
    found: list[str] = []
    seen_keys: set[tuple[str, ...]] = set()
    visited: list[str] = []
    queue = deque(f"{base}{seed}" for seed in seeds)
    while queue and len(visited) < PAGES_PER_PERSONA:
        url = queue.popleft()
        key = page_key(url)
        if key is None or key in seen_keys:
            continue
        seen_keys.add(key)
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        page.wait_for_load_state("networkidle")
        visited.append(url)
        found += axe_violations(page)
        links: list[str] = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(a => a.href)"
        )
        for link in links:
            if link.startswith(base):
                queue.append(link.split("#")[0])
    return found, visited


def submit_empty(page: Page, base: str, path: str, form: str = "main form[method=post]") -> None:
    """Open `path` and send its form with every text field empty, past the browser's own
    checks, so the page comes back with the server's error messages."""
    page.goto(f"{base}{path}")
    with page.expect_navigation():
        page.locator(form).first.evaluate(
            """form => {
              form.noValidate = true;
              for (const field of form.querySelectorAll(
                  'input[type=text], input[type=email], input[type=password], input:not([type]),'
                  + ' input[type=number], input[type=date], textarea')) field.value = '';
              form.requestSubmit();
            }"""
        )
    page.wait_for_load_state("networkidle")


class AccessibilityCrawlTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        demo_load()
        release_note_demo_load(staff_email=STAFF_EMAIL)
        demo_meetings_load(
            admin_email=ADMINS[0][2],
            pairs=[(mentor, mentee) for mentor, mentee, _, ended in RELATIONSHIPS if not ended][:3],
        )
        admin = User.objects.get(email=ADMINS[0][2])
        self.join_path = f"/join/{invitations.invitation_links(actor=admin)[0].token}/"
        self._workspace_load(admin)
        self._feedback_load(admin)
        self._archives_load(admin)
        self._cycle_load(admin)

    def _archives_load(self, admin: User) -> None:
        """«Exporter tous les rapports»: one archive ready, one being prepared (its bar)."""
        now = timezone.now()
        common = {"organisation_id": admin.organisation_id, "created_by": admin, "total": 6}
        ReportArchive.objects.create(
            **common,
            cohort_start_year=2024,
            file_name="Mentor Canada 2024-2025.zip",
            status=ArchiveStatus.DONE,
            done=6,
            file_path="report-archives/none.zip",
            finished_at=now,
            expires_at=now + datetime.timedelta(days=7),
            language="en",
            time_zone="UTC",
        )
        ReportArchive.objects.create(
            **common, cohort_start_year=2025, file_name="Mentor Canada 2025-2026.zip",
            status=ArchiveStatus.RUNNING, done=2, language="en", time_zone="UTC",
        )  # fmt: skip

    def _cycle_load(self, admin: User) -> None:
        """«Terminer le cycle» at step 3 of «keep some members» (the members to tick), with
        a ready archive above it."""
        assert admin.organisation_id is not None
        CycleRun.objects.create(
            organisation_id=admin.organisation_id,
            created_by=admin,
            method=CycleMethod.KEEP,
            archive=ReportArchive.objects.filter(status=ArchiveStatus.DONE).first(),
            states={"end": "done"},
        )

    def _feedback_load(self, admin: User) -> None:
        """«Évaluation du programme» with a question of each kind, asked of the first pair
        (the mentee answered); a sent survey the first mentor answered; a draft."""
        kinds = [
            ("rating", ()),
            ("text", ()),
            ("single", (("Yes", "Oui"), ("No", "Non"))),
            ("multiple", (("Meetings", "Rencontres"), ("Goals", "Objectifs"))),
        ]
        for kind, options in kinds:
            feedback_evaluation.evaluation_question_save(
                actor=admin,
                data=QuestionData(
                    text_en=f"A {kind} question",
                    text_fr=f"Une question {kind}",
                    kind=kind,
                    options=options,
                    required=kind == "rating",
                ),
                for_mentors=True,
                for_mentees=True,
            )
        mentor = User.objects.get(email=RELATIONSHIPS[0][0])
        mentee = User.objects.get(email=RELATIONSHIPS[0][1])
        relationship = Relationship.objects.get(mentor=mentor, mentee=mentee, ended_at=None)
        feedback_evaluation.evaluation_request(actor=admin, relationship=relationship)
        answered = EvaluationRequest.objects.get(respondent=mentee)
        feedback_evaluation.evaluation_answer(
            actor=mentee,
            request=answered,
            answers={str(q.pk): "4" for q in EvaluationQuestion.objects.filter(kind="rating")},
        )
        survey = feedback_surveys.survey_save(
            actor=admin,
            data=feedback_surveys.SurveyData(
                title_en="Pulse", title_fr="Pouls", audience=Audience.ALL
            ),
        )
        for kind, options in kinds:
            feedback_surveys.survey_question_save(
                actor=admin,
                survey=survey,
                data=QuestionData(
                    text_en=f"S {kind}", text_fr=f"S {kind} fr", kind=kind, options=options
                ),
            )
        feedback_surveys.survey_send(actor=admin, survey=survey)
        feedback_surveys.survey_answer(
            actor=mentor,
            recipient=SurveyRecipient.objects.get(survey=survey, user=mentor),
            answers={str(q.pk): "3" for q in survey.questions.filter(kind="rating")},
        )
        draft = feedback_surveys.survey_save(
            actor=admin, data=feedback_surveys.SurveyData(title_en="Draft")
        )
        for kind, options in kinds[2:]:
            feedback_surveys.survey_question_save(
                actor=admin,
                survey=draft,
                data=QuestionData(text_en=f"D {kind}", kind=kind, options=options),
            )
        # The member's pages are reached from an email or the bell: seeded by hand.
        self.feedback_seeds = {
            mentor.email: [
                f"/evaluations/{EvaluationRequest.objects.get(respondent=mentor).pk}/",
                f"/surveys/{survey.pk}/",
            ],
            mentee.email: [f"/evaluations/{answered.pk}/", f"/surveys/{survey.pk}/"],
        }

    def _workspace_load(self, admin: User) -> None:
        """The first pair's workspace with something in each tile: a conversation (one post
        unread), a goal done, an answer, each one's notes; administrators may read
        conversations and notes (turned off again before the second administrator's crawl,
        so both states of the dashboard are checked)."""
        mentor = User.objects.get(email=RELATIONSHIPS[0][0])
        mentee = User.objects.get(email=RELATIONSHIPS[0][1])
        relationship = Relationship.objects.get(mentor=mentor, mentee=mentee, ended_at=None)
        conversation.post_create(author=mentor, relationship=relationship, text="Hello!")
        conversation.post_create(
            author=mentee, relationship=relationship, text="Bonjour https://example.org"
        )
        goal = workspace_services.goal_add(actor=mentor, relationship=relationship, title="Plan")
        workspace_services.goal_set_status(actor=mentee, goal=goal, version=1, status="done")
        workspace_services.agreement_answer(
            actor=mentor, relationship=relationship, key="goals", text="Grow", version=0
        )
        for person in (mentor, mentee):
            workspace_services.note_save(actor=person, relationship=relationship, text="Mine")
        self._reading_allowed(True)

    def _reading_allowed(self, allowed: bool) -> None:
        Organisation.objects.filter(slug=ORG_SLUG).update(
            messages_in_reports=allowed, notes_in_reports=allowed
        )

    def _reading_allowed_elsewhere(self, allowed: bool) -> None:
        # No ORM on Playwright's thread.
        def run() -> None:
            try:
                self._reading_allowed(allowed)
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(run).result()

    def test_no_axe_violation_on_any_page(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        violations: list[str] = []
        pages: list[str] = []

        def check(found: tuple[list[str], list[str]] | list[str]) -> None:
            if isinstance(found, tuple):
                violations.extend(found[0])
                pages.extend(found[1])
            else:
                violations.extend(found)

        # Signed out, in French and in English; forms sent empty; the error pages.
        for locale in ("fr-CA", "en-CA"):
            page = new_page(browser, locale=locale)
            check(crawl(page, base, ["/login/", "/password-reset/", "/unlock/", "/unlock/nope/"]))
            # «Lien d'invitation»: the sign-up page and its follow-ups.
            for path in ("/join/nope/", "/join/sent/", "/join/verify/nope/"):
                page.goto(f"{base}{path}")
                check(axe_violations(page))
            for path in ("/login/", "/password-reset/", "/unlock/", self.join_path,
                         "/join/verify/again/"):  # fmt: skip
                submit_empty(page, base, path, "form[method=post]:not(.language-switch)")
                check(axe_violations(page))
            page.goto(f"{base}/no/such/page/")
            check(axe_violations(page))
            # An expired CSRF cookie: the 403 page.
            page.goto(f"{base}/login/")
            page.context.clear_cookies()
            page.locator("input[name=username]").fill("nobody@example.com")
            page.locator("input[name=password]").fill("wrong")
            page.locator("form[method=post]:not(.language-switch) [type=submit]").click()
            expect(page.locator("h1")).to_be_visible()
            check(axe_violations(page))
            page.context.close()

        personas = [
            (ADMINS[0][2], "fr-CA", ["/", "/manage/", "/manage/relationships/meetings/"]),
            (ADMINS[1][2], "en-CA", ["/", "/manage/", "/manage/relationships/meetings/"]),
            (MENTORS[0][2], "en-CA", ["/", "/availability/", "/meetings/"]),
            (MENTEES[0][2], "fr-CA", ["/", "/availability/", "/meetings/"]),
            *[(email, "fr-CA", seeds) for email, seeds in self.feedback_seeds.items()],
            (STAFF_EMAIL, "en-CA", ["/", "/staff/release-notes/", "/staff/organisations/"]),
            (STAFF_EMAIL, "fr-CA", ["/staff/organisations/new/"]),
        ]
        for email, locale, seeds in personas:
            if email == ADMINS[1][2]:
                self._reading_allowed_elsewhere(False)
            page = new_page(browser, locale=locale)
            sign_in(page, base, email, password=DEMO_PASSWORD)
            check(crawl(page, base, seeds))
            page.goto(f"{base}/no/such/page/")
            check(axe_violations(page))
            page.context.close()

        # Forms sent empty, as the people who use them.
        forms = [
            (
                ADMINS[0][2],
                "fr-CA",
                ["/manage/relationships/new/", "/manage/messages/new/", "/manage/fields/new/"],
            ),
            (ADMINS[1][2], "en-CA", ["/manage/messages/new/", "/profile/"]),
            (ADMINS[0][2], "fr-CA", ["/manage/relationships/new/", "/manage/messages/new/"]),
            (ADMINS[1][2], "en-CA", ["/manage/messages/new/", "/profile/", "/manage/members/new/"]),
            (MENTEES[0][2], "fr-CA", ["/profile/"]),
            (STAFF_EMAIL, "en-CA", ["/staff/release-notes/new/", "/staff/organisations/new/"]),
            (ADMINS[1][2], "en-CA", ["/manage/settings/", "/manage/administrators/"]),
            # Cohort tools: the deactivation file's form (its preview, the end of every
            # relationship and the deletion page: tests/e2e/test_member_deactivation.py).
            (ADMINS[0][2], "fr-CA", ["/manage/members/deactivate/"]),
            (ADMINS[0][2], "fr-CA", ["/manage/evaluation/questions/new/", "/manage/surveys/new/"]),
            # Anna's evaluation sent empty: its rating is required.
            (RELATIONSHIPS[0][0], "en-CA", self.feedback_seeds[RELATIONSHIPS[0][0]][:1]),
        ]
        for email, locale, paths in forms:
            page = new_page(browser, locale=locale)
            sign_in(page, base, email, password=DEMO_PASSWORD)
            for path in paths:
                submit_empty(page, base, path)
                check(axe_violations(page))
            page.context.close()

        assert len(pages) > 30, pages
        # The workspace's pages are reached by following links (issue 11).
        reached = {key[0] for key in map(page_key, pages) if key}
        for name in ("workspace", "conversation", "conversations_admin", "phone_calls_admin",
                     "agreement_template", "relationship_dashboard", "conversation_admin",
                     "relationship_notes", "statistics", "evaluation_admin", "evaluation_question_edit",
                     "surveys", "survey_edit", "survey_results", "survey_question_edit",
                     "evaluation_answer", "survey_answer"):  # fmt: skip
            assert name in reached, (name, sorted(reached))
        assert not violations, f"{len(violations)} axe-core violations:\n" + "\n".join(violations)


class LiveAnnouncementTest(BrowserTestCase):
    """What changes live is said in the page's polite live region, in the reader's
    language; the bell says its count; Tab reaches the skip link first."""

    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.meeting_id = self.add_charlotte_invited().meetings.get().pk
        for number in (1, 2):
            notification_send(user=self.admin, title_en=f"Note {number}", title_fr=f"Note {number}")

    def test_rsvp_bell_and_skip_link(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        admin = new_page(browser, locale="fr-CA")
        sign_in(admin, base, self.admin.email)
        admin.goto(f"{base}/manage/relationships/meetings/")
        expect(admin.locator("html")).to_have_attribute("data-live", "open")
        announcer = admin.locator("#live-announcer")
        expect(announcer).to_have_attribute("role", "status")
        expect(announcer).to_have_attribute("aria-live", "polite")
        expect(admin.locator("[aria-live]")).to_have_count(1)

        # The skip link is the first stop of the keyboard, and says so in French.
        admin.keyboard.press("Tab")
        focused = admin.locator(":focus")
        expect(focused).to_have_text("Aller au contenu")
        expect(focused).to_have_attribute("href", "#content")
        # The menu item and the tab of the page are marked current.
        expect(admin.locator('[aria-current="page"]')).to_have_count(2)
        expect(admin.locator('.sidebar [aria-current="page"]')).to_have_attribute(
            "data-nav", "meetings"
        )

        # The bell's accessible name carries its count.
        bell = admin.get_by_role("link", name="Notifications : 2 non lues")
        expect(bell).to_have_count(1)

        # Charlotte accepts in her own browser; the admin's page says it.
        charlotte = new_page(browser, locale="fr-CA")
        sign_in(charlotte, base, self.charlotte.email)
        charlotte.goto(f"{base}/meetings/")
        answer = charlotte.locator(f'form[action="/meetings/{self.meeting_id}/respond/"]')
        answer.locator("button[value=accept]").click()
        expect(announcer).to_have_text("Charlotte Test a accepté", timeout=LIVE_TIMEOUT_MS)
        tick = admin.locator(f'[data-attendee="{self.meeting_id}:{self.charlotte.pk}"] .tick')
        expect(tick).to_have_text("✓")
        charlotte.context.close()

        # A third notification: the name follows, and the region says what is new.
        with ThreadPoolExecutor(max_workers=1) as pool:  # no ORM on Playwright's thread
            pool.submit(self._notify).result()
        expect(admin.get_by_role("link", name="Notifications : 3 non lues")).to_have_count(
            1, timeout=LIVE_TIMEOUT_MS
        )
        expect(announcer).to_have_text("1 nouvelle notification", timeout=LIVE_TIMEOUT_MS)
        admin.context.close()

    def _notify(self) -> None:
        try:
            notification_send(user=self.admin, title_en="Note 3", title_fr="Note 3")
        finally:
            connections.close_all()


class MemberSelectionAccessibilityTest(BrowserTestCase):
    """axe-core finds nothing on the members list's selection bar (rows ticked, «all N
    matching» shown) and on the selection pages a crawl cannot reach (they come after a
    POST): each action's preview with people left out, the deletion's typed name sent
    wrong, the result of a deletion with a refusal, the message form opened from a
    selection — in French and in English."""

    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})
        self.add_charlotte_invited()  # Anna and Charlotte matched: deletion refuses them
        for i in range(12):
            make_member(self.org, f"m{i}@mentor.test", f"Max{i}", f"Mentor{i:02d}", "mentor")
        self.other_admin = make_member(self.org, "ada@mentor.test", "Ada", "Admin", "admin")
        MemberGroup.objects.create(organisation=self.org, name="Cohorte 2026")

    def test_no_axe_violation(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser: Browser, base: str) -> None:
        violations: list[str] = []
        for locale in ("fr-CA", "en-CA"):
            page = new_page(browser, locale=locale)
            sign_in(page, base, self.other_admin.email)
            page.goto(f"{base}/manage/members/?size=10")
            page.locator("[data-select-page]").check()
            expect(page.locator("[data-select-matching]")).to_be_visible()
            violations += axe_violations(page)
            for action in ("deactivate", "group", "message", "delete"):
                page.goto(f"{base}/manage/members/?size=10")
                page.locator("[data-select-page]").check()
                page.locator("[data-select-matching-box]").check()
                if action == "group":
                    page.locator("select[name=group]").select_option(label="Cohorte 2026")
                page.locator(f"[data-selection-action={action}]").click()
                expect(page.locator("[data-selection-summary]")).to_be_visible()
                violations += axe_violations(page)
            # The deletion's preview: the name typed wrong, then right.
            page.locator("input[name=confirmation]").fill("nope")
            page.locator("[data-selection-confirm]").click()
            expect(page.locator(".errors[role=alert]")).to_be_visible()
            violations += axe_violations(page)
            page.locator("input[name=confirmation]").fill("Mentor Canada")
            page.locator("[data-selection-confirm]").click()
            expect(page.locator("[data-selection-deleted]")).to_be_visible()
            violations += axe_violations(page)
            page.context.close()
            self._restore_elsewhere()
        # The message form opened from a selection.
        page = new_page(browser, locale="fr-CA")
        sign_in(page, base, self.admin.email)
        page.goto(f"{base}/manage/members/?role=mentor")
        page.locator("[data-select-page]").check()
        page.locator("[data-selection-action=message]").click()
        page.locator("[data-selection-confirm]").click()
        expect(page.locator("#recipient-count")).to_be_visible()
        violations += axe_violations(page)
        page.context.close()
        assert not violations, "\n".join(violations)

    def _restore_elsewhere(self) -> None:
        """The first round deleted the twelve mentors: make twelve more for the second.
        No ORM on Playwright's thread."""

        def run() -> None:
            try:
                for i in range(12):
                    make_member(
                        self.org, f"n{i}@mentor.test", f"Noa{i}", f"Mentor{i:02d}", "mentor"
                    )
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(run).result()
