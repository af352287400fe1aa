"""Command-line tasks: `flask users`, `flask mail`, `flask demo` (and each area's own group)."""
import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.accounts.passwords import password_problems
from app.core.commands import command
from app.notifications.cli import register_cli as register_notifications_cli
from app.opendata.cli import register_cli as register_opendata_cli
from app.reminders.cli import register_cli as register_reminders_cli


def _next_steps_for_admin(user) -> str:
    from app.accounts.twofactor import is_required

    steps = ["Next:", "  1. Start the server (flask run, or gunicorn) and open /account/login.",
             f"  2. Log in as {user.email}."]
    if is_required(user):
        steps.append("  3. Set up two-factor authentication when asked (required for admins).")
    steps.append(f"  {len(steps)}. Open /admin/ to set up the plan and manage people.")
    return "\n".join(steps)


def register_cli(app: Flask) -> None:
    users = AppGroup("users", help="Manage accounts.")
    mail = AppGroup("mail", help="The mail outbox.")
    demo = AppGroup("demo", help="The demonstration plan.")

    @users.command("reset-two-factor")
    @click.argument("email")
    @click.option("--reason", required=True, help="How the person's identity was checked (kept in the audit log).")
    @command
    def reset_two_factor(email, reason):
        """Remove the second factor of EMAIL, who lost the device and every recovery code."""
        from app.accounts.services import find_by_email
        from app.accounts.twofactor import reset_two_factor as reset

        user = find_by_email(email)
        if user is None:
            raise click.ClickException(f"No account with the email {email}.")
        reset(user, reason)  # a refusal ends the command with its message (app/core/commands.py)
        click.echo(f"Two-factor authentication removed for {user.email}; other sessions ended.")

    @users.command("rotate-totp-keys")
    @command
    def rotate_totp_keys():
        """Encrypt every two-factor secret with the first key of TOTP_ENCRYPTION_KEYS."""
        from app.accounts.sealing import SealingError
        from app.accounts.twofactor import rotate_totp_keys as rotate

        try:
            count = rotate()
        except SealingError as exc:
            raise click.ClickException(f"{exc}: keep the old key in TOTP_ENCRYPTION_KEYS, after the new one.") from None
        click.echo(f"{count} two-factor secrets encrypted with the first key.")

    @users.command("create-admin")
    @click.argument("email")
    @click.option("--name", default="Órgano Garante", show_default=True)
    @click.option("--password", envvar="COCREA_ADMIN_PASSWORD", default=None,
                  help="Taken from COCREA_ADMIN_PASSWORD, or asked for; generated with --generate.")
    @click.option("--generate", is_flag=True, help="Generate a strong password and print it.")
    @command
    def create_admin(email, name, password, generate):
        """Create (or promote) the guarantor body's admin account EMAIL."""
        from email_validator import EmailNotValidError, validate_email

        from app.admin.services import create_admin as create

        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise click.BadParameter(str(exc), param_hint="EMAIL") from None
        if generate:
            password = secrets.token_urlsafe(18)
        elif password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problems = password_problems(password, name=name, email=email)
        if problems:
            raise click.ClickException(" ".join(problems))
        user = create(email, name, password)  # a refusal ends the command with its message
        click.echo(f"Admin account ready: {user.email}")
        click.echo(_next_steps_for_admin(user))
        if generate:
            click.echo(f"Password: {password}")

    @mail.command("send-pending")
    @click.option("--limit", default=500, show_default=True)
    def send_pending(limit):
        """Send queued mail that is due; failures are retried later with back-off."""
        from app.core.mail import send_pending as send

        sent, failed = send(limit=limit)
        click.echo(f"sent {sent}, failed {failed}")

    @demo.command("load")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database holds a plan already.")
    @click.option("--serving", metavar="URL", help="The address about to serve the demo, named last.")
    @command
    def load(if_empty, serving):
        """Load the demonstration data: an archived plan, a living current plan dated from today, and one account per role (idempotent)."""
        from app.demo.loader import DEMO_ACCOUNTS, database_is_empty, load_demo

        if if_empty and not database_is_empty():
            click.echo("The database already holds data; the demo was not loaded.")
        else:
            summary = load_demo()
            click.echo(f"Demo plan loaded: {summary}")
            written = write_demo_mail()
            if written:
                click.echo(f"{written} demo e-mails written to {current_app.config['MAIL_DIR']}/ "
                           "(open them with any mail program)")
        if serving:
            click.echo(f"\nCocrea is serving the demo plan at {serving}/  (Ctrl+C stops it)")
        click.echo("Demo accounts (email / password):")
        for account in DEMO_ACCOUNTS:
            click.echo(f"  {account['role']:<13} {account['email']:<32} {account['password']}")

    app.cli.add_command(users)
    app.cli.add_command(mail)
    app.cli.add_command(demo)
    register_notifications_cli(app)
    register_reminders_cli(app)
    register_opendata_cli(app)
    from app.core.rendered import register_cli as register_content_cli

    register_content_cli(app)  # flask content rerender
    from app.ledger.cli import register_cli as register_ledger_cli

    register_ledger_cli(app)  # flask ledger backfill
    from app.search.cli import register_cli as register_search_cli

    register_search_cli(app)
    from app.proposals.cli import register_cli as register_proposals_cli

    register_proposals_cli(app)
    from app.core.checks import register_check_command

    register_check_command(app)


def write_demo_mail() -> int:
    """Deliver the demo's own notices (to example.org people) to the development mail folder
    now, in silence, so that the first page served does not print them; how many were written.
    With a real mail server configured they stay queued, for `flask mail send-pending`."""
    from app.core.mail import send_pending

    if current_app.config["MAIL_BACKEND"] not in ("console", "null"):
        return 0
    written = 0
    while True:
        sent, failed = send_pending(limit=500, echo=False)
        written += sent
        if not sent and not failed:
            return written
