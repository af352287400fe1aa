"""`flask notifications send-digest`: the daily summary mail, run once a day by cron."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    notifications = AppGroup("notifications", help="Notifications and their email.")

    @notifications.command("send-digest")
    @command
    def send_digest():
        """Queue one summary mail per user with notifications waiting for the daily digest.

        Safe to run twice: what went out once is never sent again. Run `flask mail send-pending`
        afterwards (or let the regular mail job) to deliver the queued mail.
        """
        from app.notifications.services import send_digests

        queued = send_digests()
        click.echo(f"digest mails queued: {queued}")

    app.cli.add_command(notifications)
