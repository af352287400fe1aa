"""`flask proposals recount`: rebuild the kept counts of the proposal list from the proposals."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    proposals = AppGroup("proposals", help="Proposals.")

    @proposals.command("recount")
    @command
    def recount():
        """Rebuild the per-plan counts the proposal list shows (kept by triggers on every change).

        Needed only after rows were written with the triggers off (a data-only restore).
        """
        from app.proposals.counts import recount as rebuild

        rows = rebuild()
        click.echo(f"{rows} count rows rebuilt")

    app.cli.add_command(proposals)
