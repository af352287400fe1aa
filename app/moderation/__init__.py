"""Moderation: reports, hiding, blocking, and the public log of facilitators' acts."""
from flask import Blueprint


class _ModerationBlueprint(Blueprint):
    def register(self, app, options):
        # Every moderatable model imports app.moderation.models (and so this package) while the
        # models are being defined: the pages, which need the accounts' and plans' models, are
        # imported when the app registers the blueprint.
        from app.moderation import views  # noqa: F401

        super().register(app, options)


bp = _ModerationBlueprint("moderation", __name__, url_prefix="/moderation")
