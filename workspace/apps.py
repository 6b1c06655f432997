from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = _("Relationship workspace")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from programs.events import member_deleted
        from programs.models import User
        from workspace.models import PrivateNote, ReadMark

        def erase(sender: type, user_id: int, **kwargs: object) -> None:
            # Their private notes are theirs alone: deleted with them. Their conversation
            # posts stay (the partner's history too), signed «Membre supprimé».
            PrivateNote.objects.filter(author_id=user_id).delete()
            ReadMark.objects.filter(user_id=user_id).delete()

        member_deleted.connect(erase, sender=User, weak=False, dispatch_uid="workspace.erase")
