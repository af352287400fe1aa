"""`flask reminders send`: queue the reminders due now, each once; run every hour by cron."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    reminders = AppGroup("reminders", help="Reminders by email.")

    @reminders.command("send")
    @command
    def send():
        """Queue the reminders due now (calls, votes, consultations, tables, late milestones).

        Safe to run twice, or twice at once: each reminder goes to each person once. The mail job
        (`flask mail send-pending`) delivers what is queued.
        """
        from app.reminders.services import send_reminders

        counts = send_reminders()
        click.echo("reminders queued: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    app.cli.add_command(reminders)
