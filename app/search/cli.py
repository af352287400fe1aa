"""`flask search reindex`: the whole search index written again from the data."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    group = AppGroup("search", help="The search index.")

    @group.command("reindex")
    @command
    def reindex():
        """Rebuild the search index from the data (after a bulk import, or to check it)."""
        from app.search.indexing import rebuild

        counts = rebuild()
        click.echo("Search index rebuilt: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))

    app.cli.add_command(group)
