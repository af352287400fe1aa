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
    """Query-string and form fields with NUL removed from names and text (files untouched).

    `nul_removed_from` names the fields that held a NUL, for the forms that must refuse such
    input instead of taking it repaired (a ballot's choice)."""

    def __init__(self, mapping=None):
        pairs = MultiDict(mapping).items(multi=True) if mapping is not None else ()
        cleaned, repaired = [], set()
        for key, value in pairs:
            clean_key, clean_value = _strip(key), _strip(value)
            if clean_key != key or clean_value != value:
                repaired.add(clean_key)
            cleaned.append((clean_key, clean_value))
        super().__init__(cleaned)
        self.nul_removed_from = frozenset(repaired)


def nul_removed_from(field_name: str) -> bool:
    """Whether this request's form or query string held a NUL in `field_name` (removed since)."""
    return any(field_name in getattr(values, "nul_removed_from", ())
               for values in (request.form, request.args))


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
