"""The forms of the program evaluation and surveys: a question (both), a survey."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import EvaluationQuestion, Question, QuestionKind, Survey
from feedback.questions import QuestionData
from feedback.surveys import SURVEY_AUDIENCES, SurveyData
from programs.models import MemberGroup, User
from web.forms import model_choice, options_parse, options_text
from web.forms.profile import ROLE_CHOICES, roles_choice, roles_flags
from web.widgets import use_member_lookup


class QuestionForm(forms.Form):
    text_en = forms.CharField(label=_("Question (English)"), max_length=300)
    text_fr = forms.CharField(label=_("Question (French)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=QuestionKind.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Single and multiple choice only: one option per line, “English | Français” "
            "(the French part is optional)."
        ),
    )
    required = forms.BooleanField(label=_("Answer required"), required=False)

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "text_en": question.text_en,
            "text_fr": question.text_fr,
            "kind": question.kind,
            "required": question.required,
            "options": options_text(question.options),
        }
        if isinstance(question, EvaluationQuestion):
            initial["roles"] = roles_choice(
                for_mentors=question.for_mentors, for_mentees=question.for_mentees
            )
        return initial

    def clean_options(self) -> list[tuple[str, str]]:
        return options_parse(self.cleaned_data["options"])

    def question_data(self) -> QuestionData:
        data = self.cleaned_data
        return QuestionData(
            text_en=data["text_en"],
            text_fr=data["text_fr"],
            kind=data["kind"],
            options=data["options"],
            required=data["required"],
        )


class EvaluationQuestionForm(QuestionForm):
    roles = forms.ChoiceField(label=_("Asked to"), choices=ROLE_CHOICES)

    def role_flags(self) -> dict[str, bool]:
        return roles_flags(self.cleaned_data["roles"])


class SurveyForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200, required=False)
    intro_en = forms.CharField(
        label=_("Introduction (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    intro_fr = forms.CharField(
        label=_("Introduction (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(
        label=_("Recipients"), choices=[(a.value, a.label) for a in SURVEY_AUDIENCES]
    )
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=MemberGroup.objects.none(), required=False
    )
    chosen = forms.ModelMultipleChoiceField(
        label=_("People"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = MemberGroup.objects.filter(  # type: ignore[attr-defined]
            organisation_id=organisation_id
        ).order_by("name")
        # As the community message's «Chosen people»: this organisation's active people,
        # picked with the type-ahead that asks the server (never every member in the page).
        people = model_choice(self, "chosen")
        people.queryset = User.objects.filter(
            organisation_id=organisation_id, is_active=True
        ).order_by("last_name", "first_name")
        use_member_lookup(people, active_only=True)

    @staticmethod
    def initial_for(survey: Survey) -> dict[str, Any]:
        return {
            "title_en": survey.title_en,
            "title_fr": survey.title_fr,
            "intro_en": survey.intro_en,
            "intro_fr": survey.intro_fr,
            "audience": survey.audience,
            "group": survey.group_id,
            "chosen": list(survey.chosen.values_list("pk", flat=True)),
        }

    def survey_data(self) -> SurveyData:
        data = self.cleaned_data
        return SurveyData(
            title_en=data["title_en"],
            title_fr=data["title_fr"],
            intro_en=data["intro_en"],
            intro_fr=data["intro_fr"],
            audience=data["audience"],
            group_id=data["group"].pk if data["group"] else None,
            chosen_ids=tuple(person.pk for person in data["chosen"]),
        )


def answers_posted(post: Any, questions: Sequence[Question]) -> dict[str, list[str]]:
    """The answers a member's form posted: field `q<id>` per question (several values for
    a multiple choice); the service checks them."""
    return {str(q.pk): post.getlist(f"q{q.pk}") for q in questions}
