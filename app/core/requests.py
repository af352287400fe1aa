"""Requests as the application reads them: text parameters without NUL characters.

No text a person types contains NUL, and PostgreSQL refuses to store or even compare it: let
through, any form or search that received one would end in a 500 there (SQLite stores it).
"""
from flask import Flask, Request, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

NUL = "\x00"


def _strip(value):
    return value.replace(NUL, "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query-string and form fields with NUL removed from names and text (files untouched)."""

    def __init__(self, mapping=None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        super().__init__([(_strip(key), _strip(value)) for key, value in pairs])


class CocreaRequest(Request):
    # Werkzeug builds request.args and request.form (and request.files) with this class.
    parameter_storage_class = NulFreeMultiDict


def register_request_guards(app: Flask) -> None:
    app.request_class = CocreaRequest

    @app.before_request
    def _no_nul_in_the_path():
        # No page's address holds a NUL: answer as for any address that names nothing.
        if NUL in request.path:
            abort(404)
