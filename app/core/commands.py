"""Command-line commands as units of work: `@command` under a click command.

    @users.command("reset-password")
    @command
    def reset_password(email): ...

The command's changes are committed once at its end (app/core/uow.py); a service's refusal
(CocreaError) rolls them back and ends the command with its message, as the error handler ends a
request with its page.
"""
import functools

import click

from app.core.errors import CocreaError
from app.core.uow import unit_of_work


def command(func):
    """Run `func` as one unit of work; a refusal becomes the command's error message."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            with unit_of_work():
                return func(*args, **kwargs)
        except CocreaError as exc:
            raise click.ClickException(exc.message or type(exc).__name__) from None

    return run
