"""The site-wide search page: a thin view over search.queries."""
from flask import render_template, request

from app.core.urls import int_arg
from app.fulltext.models import KINDS
from app.search import bp, queries


@bp.get("/")
def results():
    text = (request.args.get("q") or "").replace("\x00", "")[:queries.analyser.MAX_QUERY_CHARS]
    kind = request.args.get("kind")
    kind = kind if kind in KINDS else None
    page = queries.search(text, kinds={kind} if kind else None,
                          page=int_arg(request.args.get("page"), 1, maximum=queries.MAX_PAGE))
    return render_template(
        "search/results.html", page=page, q=text.strip(), kind=kind, kinds=KINDS,
        kind_plurals=queries.KIND_PLURALS, count_cap=queries.COUNT_CAP,
    )
