"""The outbox: mail is queued in the transaction that causes it and sent later, with retries."""
import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    recipient: Mapped[str] = mapped_column(sa.String(320), nullable=False)
    subject: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at = mapped_column(UTCDateTime(), nullable=False, default=utcnow, index=True)
    sent_at = mapped_column(UTCDateTime(), index=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Extra headers of this message ({"List-Unsubscribe": ...}); names and values are the app's.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)


def queue_mail(recipient: str, template: str, locale: str | None = None, *,
               headers: dict[str, str] | None = None, **context) -> OutboxMessage:
    """Render `templates/mail/<template>.txt` (first line: subject) and queue it; no commit.

    `headers`: extra headers for the message, e.g. List-Unsubscribe (never user input)."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    message = OutboxMessage(recipient=recipient, subject=subject.strip(), body=body.strip() + "\n",
                            headers=dict(headers) if headers else None)
    db.session.add(message)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="cocrea.local")
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body)
    return email


def _deliver(email: EmailMessage, message: OutboxMessage, echo: bool = True) -> None:
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "console":
        # Development: each message becomes a file to open with any mail program; the console
        # gets one line, so that a batch of mail does not bury what the server says.
        maildir = Path(cfg["MAIL_DIR"])
        maildir.mkdir(parents=True, exist_ok=True)
        path = maildir / f"{message.id:06d}.eml"
        path.write_bytes(bytes(email))
        if echo:
            print(f"mail to {message.recipient}: {message.subject} ({path})", flush=True)
        return
    if backend == "null":
        return
    smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=15) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def send_pending(limit: int = 100, *, echo: bool = True) -> tuple[int, int]:
    """Send due messages; a failure is recorded and retried later. Returns (sent, failed).
    `echo=False` keeps the console backend from printing a line per message."""
    now = utcnow()
    due = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message in due:
        # Claim the message so that two senders never deliver it twice.
        claimed = db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message.id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts == message.attempts,
            )
            .values(attempts=message.attempts + 1, next_attempt_at=now + backoff(message.attempts + 1))
        ).rowcount
        db.session.commit()
        if not claimed:
            continue
        db.session.refresh(message)
        try:
            _deliver(_build(message), message, echo)
        except Exception as exc:  # any delivery failure: keep the message, retry later
            log.warning("mail %s to %s failed: %s", message.id, message.recipient, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed
