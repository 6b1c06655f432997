"""The demo's release note: the source's note of December 7, 2023, published by support
staff and in every administrator's bell."""

from __future__ import annotations

from datetime import UTC, date, datetime

from notifications.models import ReleaseNote
from notifications.release_notes import services
from programs.models import User

RELEASE_NOTE_DATE = date(2023, 12, 7)
RELEASE_NOTE_EN = """## Video Conferencing
- A series of new [background images](https://example.org/backgrounds) have been added, and we have allowed your members to add to their own background images.
- The platform will now remember your member's previous preferences for video conferencing, such as having their camera turned off.
## Email Logs
- Our [email logs](https://example.org/email-logs) now include the status of the emails sent, such as opened, delivered, and bounced.
- We have added the ability to download email log reports.
"""
RELEASE_NOTE_FR = """## Visioconférence
- Une série de nouvelles [images d'arrière-plan](https://example.org/backgrounds) a été ajoutée, et vos membres peuvent maintenant ajouter leurs propres images d'arrière-plan.
- La plateforme se souvient désormais des préférences de vos membres pour la visioconférence, par exemple leur caméra désactivée.
## Registre des courriels
- Notre [registre des courriels](https://example.org/email-logs) indique maintenant l'état des courriels envoyés : ouvert, délivré, retourné.
- Vous pouvez maintenant télécharger les rapports du registre des courriels.
"""


def release_note_demo_load(*, staff_email: str) -> None:
    """Idempotent: the note is written once; delivered here rather than by the worker so
    the demo is complete when it starts."""
    if ReleaseNote.objects.filter(date=RELEASE_NOTE_DATE).exists():
        return
    staff = User.objects.get(email__iexact=staff_email)
    note = services.release_note_save(
        actor=staff,
        date=RELEASE_NOTE_DATE,
        title_en="Video conferencing and email logs",
        title_fr="Visioconférence et registre des courriels",
        body_en=RELEASE_NOTE_EN,
        body_fr=RELEASE_NOTE_FR,
    )
    ReleaseNote.objects.filter(pk=note.pk).update(
        published_at=datetime(2023, 12, 11, 14, tzinfo=UTC)
    )
    services.release_note_deliver(note_id=note.pk)
