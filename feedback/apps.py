from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Evaluations and surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feedback.evaluation import evaluation_requests_create
        from programs.events import relationship_ended
        from programs.models import Relationship

        def ask_for_evaluation(sender: type, relationship: Relationship, **kwargs: object) -> None:
            evaluation_requests_create(relationship=relationship)

        # «L'évaluation finale»: the pair is asked when the relationship ends.
        relationship_ended.connect(
            ask_for_evaluation, sender=Relationship, weak=False, dispatch_uid="feedback.evaluate"
        )
