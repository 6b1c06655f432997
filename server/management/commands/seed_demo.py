from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.release_notes.demo import release_note_demo_load
from programs.demo import (
    ADMINS,
    DEMO_PASSWORD,
    MENTEES,
    MENTORS,
    RELATIONSHIPS,
    STAFF_EMAIL,
    demo_load,
)
from scheduling.demo import demo_meetings_load


class Command(BaseCommand):
    help = "Load the Mentor Canada demo program (idempotent)."

    def handle(self, *args, **options) -> None:
        organisation = demo_load()
        release_note_demo_load(staff_email=STAFF_EMAIL)
        demo_meetings_load(
            admin_email=ADMINS[0][2],
            pairs=[(mentor, mentee) for mentor, mentee, _, ended in RELATIONSHIPS if not ended][:3],
        )
        self.stdout.write(self.style.SUCCESS(f"Demo program ready: {organisation.name_en}"))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000 with password '{DEMO_PASSWORD}' as:")
        self.stdout.write(
            f"  administrator  {ADMINS[0][2]}  ({ADMINS[0][0]} {ADMINS[0][1]}, français)"
        )
        self.stdout.write(f"  mentor         {MENTORS[0][2]}  ({MENTORS[0][0]} {MENTORS[0][1]})")
        self.stdout.write(
            f"  mentee         {MENTEES[0][2]}  ({MENTEES[0][0]} {MENTEES[0][1]}, français)"
        )
        self.stdout.write(f"  support staff  {STAFF_EMAIL}  (writes release notes)")
