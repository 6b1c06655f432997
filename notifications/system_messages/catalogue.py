"""The system-generated messages Tandem ships (F10): every email the platform sends on an
event, grouped by category, with the keywords each may use. An organisation edits its own
copy (models.SystemMessage); this is the default when it has none."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COMMON_KEYWORDS = ("first_name", "last_name", "full_name", "email", "org_name", "admin_email")


@dataclass(frozen=True)
class Default:
    key: str
    category: str
    name: str | Promise  # lazy: shown in the viewer's language
    keywords: tuple[str, ...]
    subject_en: str
    body_en: str
    subject_fr: str
    body_fr: str

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(COMMON_KEYWORDS + self.keywords)

    @property
    def keywords_listed(self) -> list[str]:
        """The keywords it may use, its own first, in the order the page lists them."""
        return list(dict.fromkeys(self.keywords + COMMON_KEYWORDS))


GETTING_STARTED = "getting_started"
MATCHING = "matching"
MEETINGS = "meetings"
MESSAGES = "messages"
RELATIONSHIP_END = "relationship_end"
ACCOUNT = "account"
SURVEYS = "surveys"

CATEGORIES = {
    GETTING_STARTED: _("Getting started"),
    MATCHING: _("Matching"),
    MEETINGS: _("Meetings"),
    MESSAGES: _("Messages"),
    RELATIONSHIP_END: _("Relationship end"),
    ACCOUNT: _("Account"),
    SURVEYS: _("Surveys"),
}

CATALOGUE: tuple[Default, ...] = (
    Default(
        "login_information",
        GETTING_STARTED,
        _("Login information (member import)"),
        ("here",),
        "Your {org_name} mentoring account",
        "Hello {first_name},\n\nAn account was created for you on {org_name}'s mentoring "
        "platform, with your email {email}.\n\nChoose your password here (the link works "
        "once, for 14 days): {here}\n\nQuestions? Write to {admin_email}.",
        "Votre compte de mentorat {org_name}",
        "Bonjour {first_name},\n\nUn compte a été créé pour vous sur la plateforme de "
        "mentorat de {org_name}, avec votre courriel {email}.\n\nChoisissez votre mot de "
        "passe ici (le lien fonctionne une fois, pendant 14\xa0jours)\xa0: {here}\n\nDes "
        "questions\xa0? Écrivez à {admin_email}.",
    ),
    Default(
        "email_verification",
        GETTING_STARTED,
        _("Email address verification (invitation link sign-up)"),
        ("here",),
        "Confirm your email address for {org_name}",
        "Hello {first_name},\n\nThank you for signing up to {org_name}'s mentoring "
        "program. To confirm that {email} is your address and activate your account, open "
        "this link (it works for 3 days): {here}\n\nIf you did not sign up, ignore this "
        "email.",
        "Confirmez votre adresse courriel pour {org_name}",
        "Bonjour {first_name},\n\nMerci de votre inscription au programme de mentorat de "
        "{org_name}. Pour confirmer que {email} est bien votre adresse et activer votre "
        "compte, ouvrez ce lien (il fonctionne pendant 3\xa0jours)\xa0: {here}\n\nSi vous "
        "ne vous êtes pas inscrit, ignorez ce courriel.",
    ),
    Default(
        "welcome",
        GETTING_STARTED,
        _("Welcome"),
        ("here",),
        "Welcome to {org_name}",
        "Hello {first_name},\n\nWelcome to {org_name}'s mentoring program. Complete your "
        "profile so we can find you the right match: {here}",
        "Bienvenue à {org_name}",
        "Bonjour {first_name},\n\nBienvenue dans le programme de mentorat de {org_name}. "
        "Complétez votre profil pour que nous puissions vous jumeler\xa0: {here}",
    ),
    Default(
        "profile_reminder",
        GETTING_STARTED,
        _("Profile completion reminder"),
        ("here", "completion"),
        "Complete your {org_name} profile",
        "Hello {first_name},\n\nYour profile is {completion}% complete. A complete profile "
        "helps us match you well: {here}",
        "Complétez votre profil {org_name}",
        "Bonjour {first_name},\n\nVotre profil est complété à {completion} %. Un profil "
        "complet nous aide à bien vous jumeler\xa0: {here}",
    ),
    Default(
        "matched",
        MATCHING,
        _("You have been matched"),
        ("partner_name", "here"),
        "You have been matched with {partner_name}",
        "Hello {first_name},\n\nGood news: you have been matched with {partner_name} in "
        "{org_name}'s mentoring program. Get started here: {here}",
        "Votre jumelage avec {partner_name} est confirmé",
        "Bonjour {first_name},\n\nBonne nouvelle\xa0: votre jumelage avec {partner_name} "
        "dans le programme de mentorat de {org_name} est confirmé. Commencez ici\xa0: {here}",
    ),
    Default(
        "meeting_invitation",
        MEETINGS,
        _("Meeting invitation"),
        ("meeting_date", "meeting_time", "organiser_name", "here"),
        "Mentoring Meeting Invitation",
        "Hello {first_name},\n\nYou have been invited to a mentoring meeting by "
        "{organiser_name} on {meeting_date} at {meeting_time}.\n\nAccept or decline: {here}",
        "Invitation à une réunion de mentorat",
        "Bonjour {first_name},\n\n{organiser_name} vous invite à une réunion de mentorat le "
        "{meeting_date} à {meeting_time}.\n\nAcceptez ou refusez\xa0: {here}",
    ),
    Default(
        "meeting_reminder",
        MEETINGS,
        _("Meeting invitation reminder"),
        ("meeting_date", "meeting_time", "here"),
        "Reminder: Mentoring Meeting Invitation",
        "Hello {first_name},\n\nYou have not answered the invitation to the mentoring "
        "meeting on {meeting_date} at {meeting_time}. Please answer: {here}",
        "Rappel\xa0: invitation à une réunion de mentorat",
        "Bonjour {first_name},\n\nVous n'avez pas répondu à l'invitation à la réunion de "
        "mentorat du {meeting_date} à {meeting_time}. Veuillez répondre\xa0: {here}",
    ),
    Default(
        "meeting_feedback",
        MEETINGS,
        _("How was your meeting?"),
        ("meeting_date", "here"),
        "How was your meeting?",
        "Hello {first_name},\n\nHow was your mentoring meeting on {meeting_date}? Tell us "
        "here: {here}",
        "Comment s'est passée votre réunion\xa0?",
        "Bonjour {first_name},\n\nComment s'est passée votre réunion de mentorat du "
        "{meeting_date}\xa0? Dites-le-nous ici\xa0: {here}",
    ),
    Default(
        "meeting_cancelled",
        MEETINGS,
        _("Meeting cancelled"),
        ("meeting_date", "meeting_time"),
        "Mentoring meeting cancelled",
        "Hello {first_name},\n\nThe mentoring meeting on {meeting_date} at {meeting_time} "
        "has been cancelled.",
        "Réunion de mentorat annulée",
        "Bonjour {first_name},\n\nLa réunion de mentorat du {meeting_date} à {meeting_time} "
        "a été annulée.",
    ),
    Default(
        "meeting_rescheduled",
        MEETINGS,
        _("Meeting rescheduled"),
        ("meeting_date", "meeting_time", "here"),
        "Mentoring meeting rescheduled",
        "Hello {first_name},\n\nYour mentoring meeting has moved to {meeting_date} at "
        "{meeting_time}. Details: {here}",
        "Réunion de mentorat reportée",
        "Bonjour {first_name},\n\nVotre réunion de mentorat est reportée au {meeting_date} "
        "à {meeting_time}. Détails\xa0: {here}",
    ),
    Default(
        "new_message",
        MESSAGES,
        _("New message in a conversation"),
        ("partner_name", "here"),
        "{partner_name} sent you a message",
        "Hello {first_name},\n\n{partner_name} wrote to you in your mentoring "
        "conversation. Read and answer here: {here}",
        "{partner_name} vous a envoyé un message",
        "Bonjour {first_name},\n\n{partner_name} vous a écrit dans votre conversation "
        "de mentorat. Lisez et répondez ici\xa0: {here}",
    ),
    Default(
        "relationship_ended",
        RELATIONSHIP_END,
        _("Relationship ended"),
        ("partner_name",),
        "Your mentoring relationship has ended",
        "Hello {first_name},\n\nYour mentoring relationship with {partner_name} has ended. "
        "Thank you for taking part in {org_name}'s program.",
        "Votre relation de mentorat est terminée",
        "Bonjour {first_name},\n\nVotre relation de mentorat avec {partner_name} est "
        "terminée. Merci d'avoir participé au programme de {org_name}.",
    ),
    Default(
        "evaluation_request",
        RELATIONSHIP_END,
        _("Program evaluation request"),
        ("partner_name", "here"),
        "Tell us about your mentoring relationship",
        "Hello {first_name},\n\nPlease take a few minutes to evaluate your mentoring "
        "relationship with {partner_name} in {org_name}'s program: {here}",
        "Parlez-nous de votre relation de mentorat",
        "Bonjour {first_name},\n\nPrenez quelques minutes pour évaluer votre relation de "
        "mentorat avec {partner_name} dans le programme de {org_name}\xa0: {here}",
    ),
    Default(
        "evaluation_reminder",
        RELATIONSHIP_END,
        _("Program evaluation reminder"),
        ("partner_name", "here"),
        "Reminder: evaluate your mentoring relationship",
        "Hello {first_name},\n\nYou have not yet evaluated your mentoring relationship "
        "with {partner_name}. It takes a few minutes: {here}",
        "Rappel\xa0: évaluez votre relation de mentorat",
        "Bonjour {first_name},\n\nVous n'avez pas encore évalué votre relation de mentorat "
        "avec {partner_name}. Cela prend quelques minutes\xa0: {here}",
    ),
    Default(
        "password_reset",
        ACCOUNT,
        _("Password reset"),
        ("here",),
        "Reset your password",
        "Hello {first_name},\n\nSomeone asked to reset the password of your account. To "
        "choose a new password, open this link: {here}\n\nIf you did not ask for this, you "
        "can ignore this email.",
        "Réinitialisez votre mot de passe",
        "Bonjour {first_name},\n\nQuelqu'un a demandé à réinitialiser le mot de passe de "
        "votre compte. Pour choisir un nouveau mot de passe, ouvrez ce lien\xa0: {here}\n\nSi "
        "vous n'avez rien demandé, ignorez ce courriel.",
    ),
    Default(
        "account_unlock",
        ACCOUNT,
        _("Unlock instructions"),
        ("here",),
        "Unlock instructions",
        "Hello {first_name},\n\nYour account was locked after too many failed sign-in "
        "attempts. To unlock it, open this link: {here}\n\nIf it wasn't you, change your "
        "password after unlocking.",
        "Instructions de déverrouillage",
        "Bonjour {first_name},\n\nVotre compte a été verrouillé après trop de tentatives de "
        "connexion échouées. Pour le déverrouiller, ouvrez ce lien\xa0: {here}\n\nSi ce n'était "
        "pas vous, changez votre mot de passe après le déverrouillage.",
    ),
    Default(
        "survey_invitation",
        SURVEYS,
        _("Survey invitation"),
        ("survey_title", "here"),
        "{org_name} survey: {survey_title}",
        "Hello {first_name},\n\n{org_name} asks for your opinion in the survey "
        "«{survey_title}». Answer here: {here}",
        "Sondage {org_name}\xa0: {survey_title}",
        "Bonjour {first_name},\n\n{org_name} vous demande votre avis dans le sondage "
        "«\xa0{survey_title}\xa0». Répondez ici\xa0: {here}",
    ),
    Default(
        "survey_reminder",
        SURVEYS,
        _("Survey reminder"),
        ("survey_title", "here"),
        "Reminder: {org_name} survey {survey_title}",
        "Hello {first_name},\n\nYou have not yet answered the survey «{survey_title}». "
        "Answer here: {here}",
        "Rappel\xa0: sondage {org_name} {survey_title}",
        "Bonjour {first_name},\n\nVous n'avez pas encore répondu au sondage "
        "«\xa0{survey_title}\xa0». Répondez ici\xa0: {here}",
    ),
)

BY_KEY = {default.key: default for default in CATALOGUE}
