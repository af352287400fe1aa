"""Acts on newsletters: write and edit a draft (audited), send it once, opt out and back in.

Sending is a conditional UPDATE from draft to sent: a double click or a second tab finds the
newsletter sent and is refused, so nobody gets it twice. The mail goes through the outbox in the
same unit of work, one message per recipient, each with its own one-click unsubscribe link.
"""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.tokens import make_token, read_token
from app.announcements import services as announcements
from app.commitments.models import Commitment
from app.core.audit import record
from app.core.clock import now
from app.core.errors import InvalidTransition, ValidationError
from app.core.i18n import local_datetime
from app.core.mail import queue_mail
from app.core.permissions import require
from app.core.text import clean_line, clean_text
from app.core.uow import insert_ignoring_conflict
from app.dialogues.models import DialogueTable
from app.elections.models import Election
from app.extensions import db
from app.follows.models import TARGET_TYPES as FOLLOW_KINDS
from app.newsletters import permissions as _permissions  # noqa: F401  (registers the rule)
from app.newsletters import segments
from app.newsletters.models import (
    Newsletter,
    NewsletterDelivery,
    NewsletterOptOut,
    NewsletterState,
    Segment,
)
from app.plans.models import Committee
from app.proposals.models import Proposal

SUBJECT_MAX = 200
BODY_MAX = announcements.BODY_MAX
UNSUBSCRIBE = "newsletter-unsubscribe"
UNSUBSCRIBE_PATH = "/newsletters/unsubscribe/"  # the route's (a mail is written outside a request too)
UNSUBSCRIBE_MAX_AGE = 5 * 366 * 24 * 3600  # a newsletter kept in a mailbox for years still works


def _follow_target(plan, kind: str, key: str):
    """The followed item of `plan` named by its number (a proposal also by its reference)."""
    key = (key or "").strip()
    if kind == "proposal" and key and not key.isdigit():
        return db.session.scalar(sa.select(Proposal).where(
            Proposal.reference == key.upper(), Proposal.plan_id == plan.id))
    if not key.isdigit() or len(key) > 9:
        return None
    model = {"proposal": Proposal, "commitment": Commitment, "committee": Committee,
             "table": DialogueTable, "election": Election}[kind]
    item = db.session.get(model, int(key))
    if item is None:
        return None
    committee = item if kind == "committee" else getattr(item, "committee", None)
    plan_id = getattr(item, "plan_id", None) or getattr(committee, "plan_id", None)
    return item if plan_id == plan.id else None


def _fields(plan, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    subject = clean_line(data.get("subject"))
    if not subject:
        errors["subject"] = [_("Give the newsletter a subject.")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("The subject can have at most %(max)d characters.", max=SUBJECT_MAX)]
    body = clean_text(data.get("body"))
    if not body:
        errors["body"] = [_("Write the text of the newsletter.")]
    elif len(body) > BODY_MAX:
        errors["body"] = [_("The text can have at most %(max)d characters.", max=BODY_MAX)]
    values = {"subject": subject, "body": body, "committee_id": None, "follow_type": None,
              "follow_id": None}
    try:
        segment = Segment(data.get("segment") or "")
    except ValueError:
        segment = None
        errors["segment"] = [_("Choose who receives the newsletter.")]
    values["segment"] = segment
    if segment == Segment.committee:
        committee_id = data.get("committee_id")
        committee = db.session.get(Committee, committee_id) if isinstance(committee_id, int) else None
        if committee is None or committee.plan_id != plan.id:
            errors["committee_id"] = [_("Choose one of the plan's committees.")]
        else:
            values["committee_id"] = committee.id
    elif segment == Segment.followers:
        kind = data.get("follow_type")
        if kind not in FOLLOW_KINDS:
            errors["follow_type"] = [_("Choose what kind of item is followed.")]
        else:
            item = _follow_target(plan, kind, str(data.get("follow_key") or ""))
            if item is None:
                errors["follow_key"] = [_("There is no such item in this plan: give its number "
                                          "(for a proposal, its reference).")]
            else:
                values["follow_type"], values["follow_id"] = kind, item.id
    if errors:
        name, messages = next(iter(errors.items()))
        raise ValidationError(messages[0], field=name, errors=errors)
    return values


def create_newsletter(actor, plan, data: dict) -> Newsletter:
    """A draft newsletter of `plan` (data: subject, body in Markdown, segment and its choice)."""
    require(actor, "newsletters.manage", plan)
    values = _fields(plan, data)
    newsletter = Newsletter(plan_id=plan.id, author_id=actor.id, updated_at=now(), **values)
    db.session.add(newsletter)
    db.session.flush()
    record(actor, "newsletters.create", newsletter, plan_id=plan.id, subject=values["subject"],
           segment=values["segment"].value)
    db.session.flush()
    return newsletter


def _refuse_if_sent(newsletter: Newsletter) -> None:
    if newsletter.is_sent:
        raise InvalidTransition(_("This newsletter was sent on %(when)s: it is sent only once and "
                                  "can no longer be changed.", when=local_datetime(newsletter.sent_at)))


def edit_newsletter(actor, newsletter: Newsletter, data: dict) -> bool:
    """Change a draft; the previous text is kept in the audit entry. False if unchanged."""
    require(actor, "newsletters.manage", newsletter)
    _refuse_if_sent(newsletter)
    values = _fields(newsletter.plan, data)
    if all(getattr(newsletter, name) == value for name, value in values.items()):
        return False
    record(actor, "newsletters.edit", newsletter, previous_subject=newsletter.subject,
           previous_body=newsletter.body, subject=values["subject"], segment=values["segment"].value)
    for name, value in values.items():
        setattr(newsletter, name, value)
    newsletter.updated_at = now()
    db.session.flush()
    return True


def unsubscribe_url(user_id: int) -> str:
    """The one-click address that opts the person out of newsletters (no login needed)."""
    token = make_token(UNSUBSCRIBE, {"u": user_id})
    return current_app.config["BASE_URL"].rstrip("/") + UNSUBSCRIBE_PATH + token


def user_of_token(token: str) -> int | None:
    """The id in a genuine unsubscribe token; None when forged or malformed."""
    payload = read_token(UNSUBSCRIBE, token or "", UNSUBSCRIBE_MAX_AGE)
    user_id = payload.get("u") if payload else None
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None


def send_newsletter(actor, newsletter: Newsletter) -> int:
    """Queue one mail per recipient, publish the newsletter as an announcement; the number of
    recipients. A newsletter is sent once: a second attempt is refused (InvalidTransition)."""
    require(actor, "newsletters.manage", newsletter)
    moment = now()
    claimed = db.session.execute(
        sa.update(Newsletter)
        .where(Newsletter.id == newsletter.id, Newsletter.state == NewsletterState.draft)
        .values(state=NewsletterState.sent, sent_at=moment, sent_by_id=actor.id, updated_at=moment)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(newsletter)
    if not claimed:
        _refuse_if_sent(newsletter)
        raise InvalidTransition(_("This newsletter cannot be sent."))
    recipients = segments.recipients_of(newsletter)
    for user_id, email, name, locale in recipients:
        leave = unsubscribe_url(user_id)
        # RFC 2369's link, and RFC 8058's one-click POST to the same address (no CSRF token
        # needed there: the signed token is the credential).
        message = queue_mail(email, "newsletter", locale=locale, subject=newsletter.subject,
                             body=newsletter.body, name=name, unsubscribe_url=leave,
                             headers={"List-Unsubscribe": f"<{leave}>",
                                      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
        db.session.add(NewsletterDelivery(newsletter_id=newsletter.id, user_id=user_id,
                                          outbox_message=message))
    announcement = announcements.create_announcement(
        actor, newsletter.plan, {"title": newsletter.subject, "body": newsletter.body})
    announcements.publish_announcement(actor, announcement)
    newsletter.announcement_id = announcement.id
    newsletter.recipient_count = len(recipients)
    record(actor, "newsletters.send", newsletter, subject=newsletter.subject,
           segment=newsletter.segment.value, recipients=len(recipients),
           announcement_id=announcement.id)
    db.session.flush()
    return len(recipients)


def unsubscribe(user_id: int) -> bool:
    """Opt the person out of newsletters (the link in each one); False if they already were."""
    changed = insert_ignoring_conflict(NewsletterOptOut, user_id=user_id, created_at=now())
    if changed:
        record(None, "newsletters.unsubscribe", None, user_id=user_id)
        db.session.flush()
    return changed


def set_receives_newsletters(actor, user, receive: bool) -> bool:
    """The person's own choice on their preferences page; whether it changed."""
    require(actor, "notifications.manage", user)
    if not receive:
        return unsubscribe(user.id)
    removed = db.session.execute(
        sa.delete(NewsletterOptOut).where(NewsletterOptOut.user_id == user.id)).rowcount
    if removed:
        record(actor, "newsletters.subscribe", user)
        db.session.flush()
    return bool(removed)
