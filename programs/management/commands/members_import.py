"""`manage.py members_import PATH --organisation SLUG [--dry-run]`: the member import of
the administrator's page (programs.imports), applied at once, for an operator.

Exit 0 when the members were imported (or, with --dry-run, when the file is correct);
exit 1 with one line per problem on stderr (`line N: column: reason`) and nothing
written when the file has any. `--sample [--language fr]` writes the sample file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from programs import imports
from programs.audit import audit_source
from programs.models import Organisation


class Command(BaseCommand):
    help = "Import members from a CSV file (the format of the sample: --sample)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", help="the CSV file")
        parser.add_argument("--organisation", help="the organisation's slug")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--sample", action="store_true", help="write the sample file")
        parser.add_argument("--language", default="en", choices=["en", "fr"])

    def handle(self, *args: Any, **options: Any) -> None:
        # The messages' language for this run only (call_command must not leak it).
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {options['organisation']!r}.")
        if options["sample"]:
            self.stdout.write(
                imports.sample_csv(organisation=organisation, language=options["language"]),
                ending="",
            )
            return
        if not options["path"] or organisation is None:
            raise CommandError("Give the file's PATH and --organisation SLUG (or --sample).")
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        with audit_source("manage.py members_import"):
            if options["dry_run"]:
                check = imports.member_import_check(organisation=organisation, content=content)
                self._fail_on(check)
                self.stdout.write(f"{len(check.rows)} rows are correct (dry run: nothing written).")
                return
            check, member_import = imports.member_import_prepare(
                actor=None, organisation=organisation, file_name=path.name, content=content
            )
            self._fail_on(check)
            assert member_import is not None
            imports.member_import_confirm(actor=None, member_import=member_import, queue=False)
            imports.member_import_run(import_id=member_import.pk)
            member_import.refresh_from_db()
        for row in member_import.skipped:
            self.stderr.write(
                f"line {row['line']}: email: skipped, the address has an account now."
            )
        self.stdout.write(f"{member_import.created} members imported.")

    def _fail_on(self, check: imports.Check) -> None:
        if check.is_clean:
            return
        for problem in check.all_problems:
            self.stderr.write(str(problem))
        sys.exit(1)
