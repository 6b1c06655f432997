from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from programs.accounts import on_user_locked_out, unlock_links_retire

        user_locked_out.connect(on_user_locked_out, dispatch_uid="tandem.unlock-email")
        user_logged_in.connect(unlock_links_retire, dispatch_uid="tandem.unlock-retire")
