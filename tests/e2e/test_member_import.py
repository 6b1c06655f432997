"""«Importer des membres» in a real browser: a French administrator uploads the file Excel
wrote on a French Windows (Windows-1252, semicolons) with one bad row, sees that row's
error, fixes the file, imports it, watches the progress and finds the new members in
the list. A second import, run by a worker (here: this process) while its page is open,
moves the bar live through job.progress."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import FilePayload, expect

from tests.e2e.browser import LIVE_TIMEOUT_MS, BrowserTestCase, signed_in_page

pytestmark = [pytest.mark.e2e]

HEADER = ["Prénom", "Nom", "Courriel", "Rôle", "Langue", "Ville"]


def cp1252_file(rows: list[list[str]]) -> FilePayload:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return {
        "name": "membres.csv",
        "mimeType": "text/csv",
        "buffer": out.getvalue().encode("cp1252"),
    }


def in_a_thread(work):
    """The database, used while Playwright's event loop runs in this thread."""

    def run():
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


class MemberImportTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.add_people(admin={"language": "fr"})

    def test_import_a_french_excel_file_fix_a_row_and_watch_it_apply(self):
        self.in_chromium(self._scenario, self.live_server_url)

    def _scenario(self, browser, base):
        from programs import imports
        from programs.models import User

        page = signed_in_page(browser, base, self.admin.email, locale="fr-CA")
        page.goto(f"{base}/manage/members/")
        page.get_by_role("link", name="Importer des membres").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Importer des membres")

        # One bad row: nothing imported, the row's error on its line, no «Importer».
        bad = [
            ["Éloïse", "Hébert", "eloise@example.com", "mentorée", "français", "Montréal"],
            ["Benoît", "Côté", "benoit-at-example.com", "mentor", "fr", "Québec"],
        ]
        page.get_by_label("Fichier CSV").set_input_files(cp1252_file(bad))
        page.get_by_role("button", name="Vérifier le fichier").click()
        row = page.locator('tr[data-line="3"]')
        expect(row).to_contain_text("Courriel : Une adresse courriel valide est requise.")
        expect(page.locator("[data-import-problems]")).to_contain_text("1 ligne a des erreurs")
        expect(page.get_by_role("button", name="Importer", exact=True)).to_have_count(0)
        assert (
            in_a_thread(lambda: User.objects.filter(email="eloise@example.com").exists()) is False
        )

        # Fixed: the preview, then the import (the job runs at once in the test server).
        bad[1][2] = "benoit@example.com"
        page.get_by_label("Fichier CSV").set_input_files(cp1252_file(bad))
        page.get_by_role("button", name="Vérifier le fichier").click()
        expect(page.locator("[data-import-summary]")).to_contain_text("2 membres seront créés")
        expect(page.locator("table.import-preview")).to_contain_text("Éloïse Hébert")
        page.get_by_role("button", name="Importer", exact=True).click()
        bar = page.get_by_label("Progression de l'importation")
        expect(bar).to_have_attribute("value", "2")
        expect(page.locator("[data-import-state]")).to_contain_text("Terminé : 2 membres créés.")
        page.get_by_role("link", name="Voir les membres").click()
        expect(page.locator("table.members")).to_contain_text("Éloïse Hébert")
        expect(page.locator("table.members")).to_contain_text("Benoît Côté")

        # Another import, its job run by a worker while its page is open: the bar moves
        # live and the page shows the result when it ends.
        def queued():
            admin = User.objects.select_related("organisation").get(pk=self.admin.pk)
            assert admin.organisation is not None
            content = "First name,Last name,Email,Role\r\n" + "".join(
                f"P{n},Live,p{n}@example.com,mentee\r\n" for n in range(4)
            )
            _, member_import = imports.member_import_prepare(
                actor=admin,
                organisation=admin.organisation,
                file_name="live.csv",
                content=content.encode(),
            )
            assert member_import is not None
            imports.member_import_confirm(actor=admin, member_import=member_import, queue=False)
            return member_import.pk

        import_id = in_a_thread(queued)
        page.goto(f"{base}/manage/members/import/{import_id}/")
        expect(bar).to_have_attribute("value", "0")
        expect(page.locator("html")).to_have_attribute("data-live", "open")

        def run():
            imports.BATCH = 2
            try:
                imports.member_import_run(import_id=import_id)
            finally:
                imports.BATCH = 500

        in_a_thread(run)
        expect(page.locator("[data-import-state]")).to_contain_text(
            "Terminé : 4 membres créés.", timeout=LIVE_TIMEOUT_MS
        )
        expect(page.get_by_role("link", name="Voir les membres")).to_be_visible()
