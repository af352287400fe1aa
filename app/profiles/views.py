"""The public profile page of a person or an organisation."""
import re

from flask import abort, render_template, request

from app.comments.queries import comment_url
from app.core.errors import NotFound
from app.core.urls import int_arg
from app.core.views import load_or_404
from app.profiles import bp, queries

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_MARKS = re.compile(r"[*_`#>~]+")


def excerpt(source: str | None, length: int = 200) -> str:
    """A one-line plain excerpt of a comment's Markdown (Jinja escapes it; nothing is rendered)."""
    text = _MARKDOWN_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", source or ""))
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _page() -> int:
    """?page= as a positive whole number; anything else is a bad request, not page 1."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    page = int_arg(raw)
    if page is None:
        abort(400)
    return page


@bp.get("/<int:user_id>")
def show(user_id: int):
    page = _page()
    user = load_or_404(queries.public_user(user_id))
    profile = queries.profile(user, page)
    if page > profile.pages:
        raise NotFound()
    return render_template("profiles/show.html", profile=profile, user=user, page=page,
                           excerpt=excerpt, comment_url=comment_url)
