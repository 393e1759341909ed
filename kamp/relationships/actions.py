"""Every change in the relationships area: atomic, audited, e-mail after commit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.models import SiteSettings
from kamp.core.versioning import VersionConflict

from . import access, items, results, typology
from .models import (
    FOUNDATION_ITEMS,
    Answer,
    Assessment,
    Foundations,
    RelationshipType,
    Respondent,
    ROSource,
    Side,
    StageRecord,
    SurveyItem,
    SurveyRound,
    SurveyTemplate,
)

ASSESSMENT_FIELDS = [
    "date",
    "ro",
    "ro_source",
    *Assessment.DS_ITEMS,
    *Assessment.DB_ITEMS,
    "ds",
    "db",
    "relative_power",
    "type",
    "systems_linked",
    "functional_pairs",
    "note",
]


def _dec(value) -> Decimal:
    return Decimal(str(round(float(value), 2)))


@transaction.atomic
def do_assess(
    acting_user,
    customer,
    *,
    ro=None,
    ds=None,
    db=None,
    date=None,
    ro_source: str = ROSource.ASSESSED,
    systems_linked: bool = False,
    functional_pairs: int | None = None,
    note: str = "",
    import_batch=None,
    **item_scores,
) -> Assessment:
    """Record an assessment. D_s and D_b are the mean of their items when items are scored, else
    the given values; RO from the latest survey RQI when ``ro_source`` is "rqi"."""
    unknown = set(item_scores) - set(Assessment.DS_ITEMS + Assessment.DB_ITEMS)
    if unknown:
        raise TypeError(f"unknown assessment items: {sorted(unknown)}")
    ds_items = typology.dependence([item_scores.get(k) for k in Assessment.DS_ITEMS])
    db_items = typology.dependence([item_scores.get(k) for k in Assessment.DB_ITEMS])
    ds = ds_items if ds_items is not None else ds
    db = db_items if db_items is not None else db
    if ro_source == ROSource.RQI:
        rounds = results.latest_scored_rounds([customer.pk]).get(customer.pk, [])
        if not rounds or rounds[0].rqi is None:
            raise ValidationError(
                {
                    "ro_source": _(
                        "No survey round counts yet (closed, with enough answers on each side): "
                        "assess the orientation instead."
                    )
                }
            )
        ro = rounds[0].rqi
    errors = {}
    for name, value in (("ro", ro), ("ds", ds), ("db", db)):
        if value is None:
            errors[name] = _("Score at least one item, or give the value (1–7).")
        elif not 1 <= float(value) <= 7:
            errors[name] = _("Must be between 1 and 7.")
    if errors:
        raise ValidationError(errors)
    result = results.classify(ro, ds, db)
    assessment = Assessment(
        customer=customer,
        date=date or timezone.localdate(),
        ro=_dec(ro),
        ro_source=ro_source,
        ds=_dec(ds),
        db=_dec(db),
        relative_power=_dec(result.relative_power),
        type=result.type,
        systems_linked=systems_linked,
        functional_pairs=functional_pairs,
        note=note,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        import_batch=import_batch,
        **dict(item_scores.items()),
    )
    assessment.full_clean()
    assessment.save()
    audit.record(
        acting_user,
        "import" if import_batch else "create",
        assessment,
        customer_id=customer.pk,
        # Said, not formatted: the History tab shows it in the reader's language.
        summary=audit.say(
            gettext_noop("Relationship type: %(type)s"),
            type=RelationshipType(assessment.type).label,
        ),
        changes=audit.diff({}, audit.snapshot(assessment, ASSESSMENT_FIELDS)),
    )
    return assessment


@transaction.atomic
def do_save_foundations(
    acting_user, customer, *, checks: dict[str, bool], note: str = "", date=None, based_on=None
) -> Foundations:
    """Record today's foundations checklist; with ``based_on`` (the id of the checklist the
    writer opened, 0 for none), only if nobody saved a newer one since (``VersionConflict``,
    whose ``current`` is the latest checklist)."""
    if based_on is not None:
        type(customer).objects.select_for_update().filter(pk=customer.pk).first()  # one at a time
        latest = customer.relationship_foundations.order_by("-date", "-id").first()
        if (latest.pk if latest else 0) != based_on:
            raise VersionConflict(latest)
    keys = [k for _g, k, _l in FOUNDATION_ITEMS]
    clean = {k: bool(checks.get(k)) for k in keys}
    score = round(100 * sum(clean.values()) / len(keys))
    f = Foundations.objects.create(
        customer=customer,
        checks=clean,
        score=score,
        note=note,
        date=date or timezone.localdate(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit.record(
        acting_user,
        "create",
        f,
        customer_id=customer.pk,
        summary=audit.say(gettext_noop("Foundations: %(score)s of 100"), score=score),
        changes=[{"field": k, "old": None, "new": v} for k, v in clean.items()],
    )
    return f


@transaction.atomic
def do_set_stage(
    acting_user, customer, *, stage: str, reason: str = "", as_of: date | None = None
) -> StageRecord:
    """Record the account's stage: the rule's suggestion accepted, or overridden with a reason."""
    suggestion = results.suggest_stage(customer, as_of)
    reason = (reason or "").strip()
    if stage != suggestion.stage and not reason:
        raise ValidationError(
            {"reason": _("Say why you set a stage other than the suggested one.")}
        )
    stage_labels = dict(StageRecord._meta.get_field("stage").flatchoices)  # lazy: said in English
    record = StageRecord.objects.create(
        customer=customer,
        date=as_of or timezone.localdate(),
        suggested=suggestion.stage,
        stage=stage,
        reason=reason,
        reasons=[[code, params] for code, params in suggestion.reasons],
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit.record(
        acting_user,
        "decide",
        record,
        customer_id=customer.pk,
        # The stages' English labels: said() shows them in the reader's language.
        summary=audit.say(
            gettext_noop("Stage set to %(stage)s (suggested: %(suggested)s)"),
            stage=stage_labels[record.stage],
            suggested=stage_labels[record.suggested],
        ),
        changes=[
            {"field": "stage", "old": None, "new": stage},
            {"field": "reason", "old": None, "new": reason},
        ],
    )
    return record


def default_template() -> SurveyTemplate:
    """The built-in bilingual template (created the first time a round needs it)."""
    template, created = SurveyTemplate.objects.get_or_create(
        key=items.DEFAULT_TEMPLATE_KEY,
        defaults={
            "name": "Relationship quality (trust, commitment, satisfaction, conflict, enablers)"
        },
    )
    if created or not template.items.exists():
        SurveyItem.objects.bulk_create(
            [
                SurveyItem(
                    template=template,
                    key=key,
                    construct=construct,
                    facet=facet,
                    reversed=rev,
                    text_en=en,
                    text_es=es,
                    order=n,
                )
                for n, (key, construct, facet, rev, en, es) in enumerate(items.DEFAULT_ITEMS)
            ]
        )
    return template


def _expiry(closes_on: date) -> datetime:
    return timezone.make_aware(datetime.combine(closes_on + timedelta(days=1), time.min))


def survey_url(respondent: Respondent, base: str | None = None) -> str:
    base = (base or settings.KAMP_BASE_URL).rstrip("/")
    if respondent.side == Side.CUSTOMER:
        return base + reverse("relationships:public_survey", args=[access.token_for(respondent)])
    return base + reverse("relationships:answer", args=[respondent.round_id])


def _send(respondent: Respondent, reminder: bool) -> None:
    """One invitation or reminder, in the respondent's language."""
    if not respondent.email:
        return
    rnd = respondent.round
    company = SiteSettings.load().company_name
    with translation.override(respondent.language or "es"):
        context = {
            "respondent": respondent,
            "round": rnd,
            "company": company,
            "customer": rnd.customer,
            "url": survey_url(respondent),
            "reminder": reminder,
            "team": respondent.side == Side.TEAM,
            "items": rnd.template.items.count(),
        }
        if respondent.side == Side.TEAM:
            subject = _("Relationship survey: how do you see %(customer)s?") % {
                "customer": rnd.customer.name
            }
        else:
            subject = _("%(company)s would like your view of our relationship") % {
                "company": company
            }
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        body = render_to_string("relationships/email_invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [respondent.email])


def _respondents(rnd: SurveyRound, customer, team_users, contacts) -> list[Respondent]:
    expires = _expiry(rnd.closes_on)
    people = []
    for user in team_users:
        people.append(
            Respondent(
                round=rnd,
                side=Side.TEAM,
                user=user,
                name=str(user),
                email=user.email,
                language=user.language or translation.get_language() or "es",
            )
        )
    for contact, language in contacts:
        if contact.customer_id != customer.pk:
            raise ValidationError(_("A contact of another customer cannot answer this survey."))
        r = Respondent(
            round=rnd,
            side=Side.CUSTOMER,
            contact=contact,
            name=contact.name,
            email=contact.email,
            language=language,
            token_salt=access.new_salt(),
            expires_at=expires,
        )
        r.token_hash = access.token_hash(access.token_for(r))
        people.append(r)
    return people


def _invite(rnd: SurveyRound, people: list[Respondent], send: bool) -> None:
    created = Respondent.objects.bulk_create(people)
    if not send:
        return
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35.
    ids = [r.pk for r in created if r.email]
    Respondent.objects.filter(pk__in=ids).update(invited_at=timezone.now())
    transaction.on_commit(lambda: _send_many(ids, reminder=False))


@transaction.atomic
def do_start_round(
    acting_user,
    customer,
    *,
    closes_on: date,
    team_users=(),
    contacts=(),
    send: bool = True,
    template: SurveyTemplate | None = None,
) -> SurveyRound:
    """Open a survey round: our team answers in the app, each chosen contact ``(contact,
    language)`` through a private link that expires after ``closes_on``."""
    today = timezone.localdate()
    if closes_on < today:
        raise ValidationError({"closes_on": _("The closing date cannot be in the past.")})
    if not team_users and not contacts:
        raise ValidationError(_("Choose at least one person to ask."))
    rnd = SurveyRound.objects.create(
        customer=customer,
        template=template or default_template(),
        opened_on=today,
        closes_on=closes_on,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _invite(rnd, _respondents(rnd, customer, team_users, contacts), send)
    audit.record(
        acting_user,
        "create",
        rnd,
        customer_id=customer.pk,
        summary=audit.say(
            gettext_noop(
                "Survey round opened: %(team)s of our team, %(contacts)s customer contacts"
            ),
            team=len(team_users),
            contacts=len(contacts),
        ),
    )
    return rnd


@transaction.atomic
def do_add_respondents(
    acting_user, rnd: SurveyRound, *, team_users=(), contacts=(), send: bool = True
) -> int:
    """Ask more people in an open round (someone forgotten, a new contact)."""
    if not rnd.is_open:
        raise ValidationError(_("This survey round is closed."))
    asked_users = set(rnd.respondents.exclude(user=None).values_list("user_id", flat=True))
    asked_contacts = set(rnd.respondents.exclude(contact=None).values_list("contact_id", flat=True))
    team_users = [u for u in team_users if u.pk not in asked_users]
    contacts = [(c, lang) for c, lang in contacts if c.pk not in asked_contacts]
    if not team_users and not contacts:
        raise ValidationError(_("Choose at least one person to ask."))
    _invite(rnd, _respondents(rnd, rnd.customer, team_users, contacts), send)
    audit.record(
        acting_user,
        "update",
        rnd,
        customer_id=rnd.customer_id,
        summary=audit.say(
            gettext_noop(
                "Survey round: %(team)s of our team and %(contacts)s customer contacts added"
            ),
            team=len(team_users),
            contacts=len(contacts),
        ),
    )
    return len(team_users) + len(contacts)


def _send_many(ids, reminder: bool) -> None:
    for r in Respondent.objects.filter(pk__in=ids).select_related("round", "round__customer"):
        _send(r, reminder)


@transaction.atomic
def do_remind(acting_user, rnd: SurveyRound) -> int:
    """E-mail everyone of an open round who has not answered yet; returns how many."""
    if not rnd.is_open:
        return 0
    pending = rnd.respondents.filter(responded_at__isnull=True).exclude(email="")
    ids = list(pending.values_list("pk", flat=True))
    if not ids:
        return 0
    now = timezone.now()
    for r in Respondent.objects.filter(pk__in=ids):
        r.reminded_at = now
        r.reminder_count += 1
        r.save(update_fields=["reminded_at", "reminder_count"])
    audit.record(
        acting_user,
        "other",
        rnd,
        customer_id=rnd.customer_id,
        summary=audit.say(gettext_noop("Survey reminders sent to %(n)s people"), n=len(ids)),
    )
    transaction.on_commit(lambda: _send_many(ids, reminder=True))
    return len(ids)


@transaction.atomic
def do_extend_round(acting_user, rnd: SurveyRound, closes_on: date) -> SurveyRound:
    """Give more time: a later closing date, and the unused links expire then too."""
    if rnd.closed_at is not None:
        raise ValidationError(_("This survey round is closed."))
    if closes_on < max(rnd.closes_on, timezone.localdate()):
        raise ValidationError({"closes_on": _("Choose a date after the current closing date.")})
    before = rnd.closes_on
    rnd.closes_on = closes_on
    rnd.save(update_fields=["closes_on"])
    rnd.respondents.filter(side=Side.CUSTOMER, responded_at__isnull=True).update(
        expires_at=_expiry(closes_on)
    )
    audit.record(
        acting_user,
        "update",
        rnd,
        customer_id=rnd.customer_id,
        changes=[{"field": "closes_on", "old": before.isoformat(), "new": closes_on.isoformat()}],
    )
    return rnd


@transaction.atomic
def do_close_round(acting_user, rnd: SurveyRound) -> SurveyRound:
    rnd.closed_at = timezone.now()
    rnd.save(update_fields=["closed_at"])
    audit.record(
        acting_user,
        "update",
        rnd,
        customer_id=rnd.customer_id,
        summary=audit.say(gettext_noop("Survey round closed")),
    )
    return rnd


@transaction.atomic
def do_answer(
    acting_user, respondent: Respondent, *, values: dict[int, int | None], comment: str = ""
) -> Respondent:
    """Store one respondent's answers (``{item_id: 1–7 or None for "can't say"}``), once."""
    respondent = (
        Respondent.objects.select_for_update().select_related("round").get(pk=respondent.pk)
    )
    rnd = respondent.round
    if respondent.responded_at is not None:
        raise ValidationError(_("These answers have already been sent."))
    if (
        rnd.closed_at
        or timezone.localdate() > rnd.closes_on
        or (respondent.expires_at and respondent.expires_at < timezone.now())
    ):
        raise ValidationError(_("This survey is closed."))
    item_ids = set(rnd.template.items.values_list("pk", flat=True))
    if set(values) - item_ids:
        raise ValidationError(_("The answers do not match this survey."))
    answers = []
    for item_id, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 7:
            raise ValidationError(_("Each answer must be a whole number from 1 to 7."))
        answers.append(Answer(respondent=respondent, item_id=item_id, value=value))
    if not answers:
        raise ValidationError(_("Answer at least one statement."))
    Answer.objects.bulk_create(answers)
    respondent.responded_at = timezone.now()
    respondent.comment = (comment or "").strip()[:4000]
    respondent.save(update_fields=["responded_at", "comment"])
    results.refresh_round(rnd)
    who = acting_user if getattr(acting_user, "pk", None) else None
    audit.record(
        who,
        "create",
        respondent,
        customer_id=rnd.customer_id,
        object_repr=lambda: f"{rnd} · {respondent.get_side_display()}",
        # Written in the respondent's language, read in the reader's: said, not formatted.
        summary=audit.say(
            gettext_noop("Survey answered (%(side)s): %(name)s"),
            side=Side(respondent.side).label,
            name=respondent.name,
        ),
    )
    return respondent
