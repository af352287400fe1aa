"""`flask ledger backfill`: append to each plan's ledger the records published before it existed."""
import click
from flask import Flask
from flask.cli import AppGroup

from app.core.commands import command


def register_cli(app: Flask) -> None:
    ledger = AppGroup("ledger", help="The plans' public ledgers.")

    @ledger.command("backfill")
    @click.option("--plan", "plan_id", type=int, help="Only this plan (its id).")
    @command
    def backfill(plan_id):
        """Append every published record that is not in its plan's ledger yet, in the order they were
        published (one transaction; run again, it appends nothing). Run once after upgrading an
        installation that published records before the ledger existed; `make run` runs it."""
        from app.ledger.records import backfill as append_missing

        appended = append_missing(plan_id)
        if not appended:
            click.echo("Every published record is in its plan's ledger.")
        for plan, counts in sorted(appended.items()):
            kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.items()))
            click.echo(f"Plan {plan}: {sum(counts.values())} records appended ({kinds}).")

    app.cli.add_command(ledger)
