"""`manage.py org_create`: create an organisation and its first administrator from the
command line (the operator's first step on a new installation, before any staff
account exists). The administrator is emailed «Informations de connexion»."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from programs.audit import audit_source
from programs.errors import DomainError
from programs.models import Language
from programs.organisations import organisation_create


class Command(BaseCommand):
    help = "Create an organisation and invite its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name, e.g. mentor-canada")
        parser.add_argument("--name-en", required=True, help="the organisation's English name")
        parser.add_argument("--name-fr", default="", help="the organisation's French name")
        parser.add_argument(
            "--admin-email", required=True, help="the organisation's administrator email"
        )
        parser.add_argument("--first-name", required=True, help="first administrator's")
        parser.add_argument("--last-name", required=True, help="first administrator's")
        parser.add_argument(
            "--email", required=True, help="the first administrator's own sign-in email"
        )
        parser.add_argument("--language", default=Language.ENGLISH, choices=Language.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with audit_source("manage.py org_create"):
                organisation = organisation_create(
                    actor=None,
                    slug=options["slug"],
                    name_en=options["name_en"],
                    name_fr=options["name_fr"],
                    support_email=options["admin_email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    email=options["email"],
                    language=options["language"],
                )
        except DomainError as error:
            raise CommandError(str(error.message), returncode=1) from None
        self.stdout.write(
            f"Created {organisation.slug} ({organisation.name_en}); login information sent "
            f"to {options['email'].strip().lower()}."
        )
