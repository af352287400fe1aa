"""`flask opendata build`: write the open-data files again (every dataset, or the stale ones)."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    opendata = AppGroup("opendata", help="Open-data download files.")

    @opendata.command("build")
    @click.option("--dataset", "slugs", multiple=True, help="Only this dataset (repeatable).")
    @click.option("--if-stale", is_flag=True, help="Only datasets changed since their last build, or never built.")
    @command
    def build(slugs, if_stale):
        """Write each dataset's CSV and JSON files (one transaction per dataset).

        Run every few minutes with --if-stale by a timer (deploy/cocrea-opendata.timer.example).
        Safe to run twice at once: the later build's files win, the other's are removed.
        """
        from app.core.uow import commit, rollback
        from app.opendata import all_datasets, dataset_by_slug, files

        datasets = [dataset_by_slug(slug) for slug in slugs] if slugs else list(all_datasets())
        if None in datasets:
            raise click.ClickException("Unknown dataset; known: " + ", ".join(d.slug for d in all_datasets()))
        for dataset in datasets:
            current = files.state(dataset.slug)
            if if_stale and not (current.missing or current.stale):
                continue
            try:
                figures = files.build(dataset)
            except BaseException:
                rollback()
                raise
            commit()
            click.echo(f"{dataset.slug}: {figures['rows']} rows in {figures['seconds']} s "
                       f"({figures['rows_per_second'] or '-'} rows/s)")

    app.cli.add_command(opendata)
