"""The program evaluation («Évaluation du programme») and surveys («Sondages»): the
questions an organisation asks, who was asked, and what they answered.

Answers are stored on the request / invitation row as JSON keyed by question id
({"12": 4, "13": "text", "14": ["opt-id"]}): one person answers once, as a whole, and
naming options by id keeps the answers when an option is renamed (as ProfileField)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.models import Audience
from programs.models import MemberGroup, Organisation, Relationship, Role, User


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating from 1 to 5")
    TEXT = "text", _("Text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class Question(models.Model):
    """What an evaluation question and a survey question share. `options` (choice kinds
    only): a list of {"id", "en", "fr"}."""

    text_en = models.CharField(_("question (English)"), max_length=300)
    text_fr = models.CharField(_("question (French)"), max_length=300, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=QuestionKind.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text_en

    def text_in(self, language: str) -> str:
        return self.text_fr if language == "fr" and self.text_fr else self.text_en

    @property
    def text(self) -> str:
        return self.text_in(get_language() or "en")


class EvaluationQuestion(Question):
    """A question of the organisation's «L'évaluation finale», asked to the roles ticked."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evaluation_questions"
    )
    for_mentors = models.BooleanField(_("mentors"), default=True)
    for_mentees = models.BooleanField(_("mentees"), default=True)

    class Meta(Question.Meta):
        verbose_name = _("evaluation question")
        constraints = [
            models.CheckConstraint(
                condition=Q(for_mentors=True) | Q(for_mentees=True),
                name="evaluation_question_has_a_role",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "position"])]

    def applies_to(self, role: str) -> bool:
        return (role == Role.MENTOR and self.for_mentors) or (
            role == Role.MENTEE and self.for_mentees
        )


class EvaluationRequest(models.Model):
    """One participant asked to evaluate one relationship: at most one per person and
    relationship, whoever asked and however often."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="evaluation_requests"
    )
    respondent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # The automatic reminder's stamp: set once, so it is never sent twice.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The administrator's «Envoyer un rappel»: at most once a day per person.
    manual_reminded_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "respondent"], name="evaluation_once_per_person"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "id"]),
            models.Index(fields=["answered_at", "reminded_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"evaluation {self.relationship_id}/{self.respondent_id}"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")


class Survey(models.Model):
    """A survey an administrator writes in English and French and sends to an audience
    (the community messages' audiences)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_fr = models.TextField(_("introduction (French)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    audience = models.CharField(
        _("recipients"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    group = models.ForeignKey(
        MemberGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The people of the audience «Chosen people» (Audience.CHOSEN).
    chosen = models.ManyToManyField(User, blank=True, related_name="+")
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self) -> str:
        return self.title_en

    def title_in(self, language: str) -> str:
        return self.title_fr if language == "fr" and self.title_fr else self.title_en

    def intro_in(self, language: str) -> str:
        return self.intro_fr if language == "fr" and self.intro_fr else self.intro_en

    @property
    def title(self) -> str:
        return self.title_in(get_language() or "en")

    @property
    def intro(self) -> str:
        return self.intro_in(get_language() or "en")


class SurveyQuestion(Question):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")

    class Meta(Question.Meta):
        verbose_name = _("survey question")


class SurveyRecipient(models.Model):
    """One person a sent survey reaches. `invited_at` is set in the transaction that
    queues their invitation, so a retried job never emails them twice."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="survey_once_per_person"),
        ]
        indexes = [models.Index(fields=["survey", "invited_at"])]

    def __str__(self) -> str:
        return f"survey {self.survey_id}/{self.user_id}"
