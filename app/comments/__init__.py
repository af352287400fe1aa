"""Comments on proposals and on draft commitments."""
from flask import Blueprint


class _CommentsBlueprint(Blueprint):
    def register(self, app, options):
        # The pages import the proposals' models, whose module imports app.moderation.models;
        # importing them when the app registers the blueprint (not with the package) avoids a cycle.
        from app.comments import views  # noqa: F401

        super().register(app, options)


bp = _CommentsBlueprint("comments", __name__, url_prefix="/comments")
