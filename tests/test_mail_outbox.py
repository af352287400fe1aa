"""The outbox: mail queued with the action that causes it, sent later, never lost when SMTP fails."""
import email
import email.policy
import socket
import socketserver
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.mail import MAX_BACKOFF, OutboxMessage, backoff, queue_mail, send_pending
from app.extensions import db
from tests.factories import make_user


class _FakeSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib to hand over a message."""

    def handle(self):
        self.wfile.write(b"220 fake ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 fake\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    data += self.rfile.readline()
                self.server.received.append(
                    email.message_from_bytes(data[:-5], policy=email.policy.default)
                )
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSMTPHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


@pytest.fixture
def smtp_to(app, monkeypatch):
    def configure(port: int) -> None:
        monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)

    return configure


def send_pending_command(app):
    result = app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def queue_reset_mail(user) -> OutboxMessage:
    message = queue_mail(user.email, "reset_password", user=user, url="https://x.example/r/abc",
                         minutes=60)
    db.session.commit()
    return message


# --- Queueing ----------------------------------------------------------------------------------


def test_mail_belongs_to_the_transaction_that_queues_it(app):
    user = make_user()
    with app.test_request_context():
        queue_mail(user.email, "password_changed", user=user)
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_queued_mail_is_rendered_in_the_recipient_language(app):
    user = make_user()
    spanish = queue_mail(user.email, "password_changed", user=user)
    english = queue_mail(user.email, "password_changed", locale="en", user=user)
    db.session.commit()

    assert english.subject == "Your Cocrea password was changed"
    assert spanish.subject != english.subject
    assert spanish.sent_at is None and spanish.attempts == 0


# --- Sending -----------------------------------------------------------------------------------


def test_send_pending_delivers_due_mail_over_smtp(app, smtp_server, smtp_to):
    user = make_user(email="lucia@example.org")
    message = queue_reset_mail(user)
    smtp_to(smtp_server.server_address[1])

    output = send_pending_command(app)

    assert "sent 1, failed 0" in output
    [received] = smtp_server.received
    assert received["To"] == "lucia@example.org"
    assert received["Subject"] == message.subject
    assert "https://x.example/r/abc" in received.get_content()
    db.session.refresh(message)
    assert message.sent_at is not None and message.attempts == 1 and message.last_error is None


def test_sent_mail_is_never_sent_again(app, smtp_server, smtp_to):
    queue_reset_mail(make_user())
    smtp_to(smtp_server.server_address[1])

    send_pending_command(app)
    output = send_pending_command(app)

    assert "sent 0, failed 0" in output
    assert len(smtp_server.received) == 1


def test_failing_smtp_keeps_the_message_and_retries_with_backoff(app, closed_port, smtp_server, smtp_to):
    message = queue_reset_mail(make_user())
    smtp_to(closed_port)
    started = utcnow()

    output = send_pending_command(app)

    assert "sent 0, failed 1" in output
    db.session.refresh(message)
    assert message.sent_at is None
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert started + backoff(1) <= message.next_attempt_at <= utcnow() + backoff(1)

    # Not due yet: the next run leaves it alone.
    assert "sent 0, failed 0" in send_pending_command(app)
    db.session.refresh(message)
    assert message.attempts == 1

    # Due again and still failing: the wait grows.
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    send_pending_command(app)
    db.session.refresh(message)
    assert message.attempts == 2
    assert message.next_attempt_at >= utcnow() + backoff(2) - timedelta(seconds=5)

    # The server comes back: the message goes out, nothing lost.
    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    smtp_to(smtp_server.server_address[1])
    assert "sent 1, failed 0" in send_pending_command(app)
    db.session.refresh(message)
    assert message.sent_at is not None and message.last_error is None
    assert len(smtp_server.received) == 1


def test_one_failing_message_does_not_hold_back_the_others(app, monkeypatch):
    good = queue_reset_mail(make_user())
    bad = queue_reset_mail(make_user())
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "null")
    real_build = __import__("app.core.mail", fromlist=["_build"])._build

    def build(message):
        if message.id == bad.id:
            raise ValueError("broken message")
        return real_build(message)

    monkeypatch.setattr("app.core.mail._build", build)

    assert send_pending() == (1, 1)
    db.session.refresh(good)
    db.session.refresh(bad)
    assert good.sent_at is not None
    assert bad.sent_at is None and "broken message" in bad.last_error


def test_backoff_grows_and_is_capped():
    waits = [backoff(n) for n in range(1, 15)]

    assert waits[0] == timedelta(minutes=1)
    assert all(a <= b for a, b in zip(waits, waits[1:], strict=False))
    assert waits[-1] == MAX_BACKOFF


def test_console_backend_writes_an_eml_file(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    message = queue_reset_mail(make_user(email="lucia@example.org"))

    output = send_pending_command(app)

    [eml] = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "lucia@example.org"
    assert parsed["Subject"] == message.subject
    assert "lucia@example.org" in output


def test_development_sends_mail_after_the_request(client, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SEND_AFTER_REQUEST", True)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    user = make_user()

    response = client.submit("/account/forgot-password", {"email": user.email})
    response.close()  # what a WSGI server does once the response is sent

    db.session.expire_all()
    [message] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.sent_at is not None
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_console_backend_prints_one_line_per_message_not_the_body(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    message = queue_reset_mail(make_user(email="lucia@example.org"))
    body_line = next(line for line in message.body.splitlines() if line.strip())

    output = send_pending_command(app)

    [line] = [line for line in output.splitlines() if "lucia@example.org" in line]
    assert message.subject in line and str(tmp_path / "mail") in line
    assert body_line not in output


def test_the_demo_mail_is_written_in_silence_before_serving(app, monkeypatch, tmp_path, capsys):
    from app.cli import write_demo_mail

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "console")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    for number in range(3):
        queue_reset_mail(make_user(email=f"persona{number}@example.org"))
    db.session.commit()

    assert write_demo_mail() == 3

    assert capsys.readouterr().out == ""
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))) == 0


def test_the_demo_mail_waits_for_a_real_mail_server(app, monkeypatch):
    from app.cli import write_demo_mail

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    queue_reset_mail(make_user(email="persona@example.org"))
    db.session.commit()

    assert write_demo_mail() == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None))) == 1
