"""The proposal list's filter form is rendered once per language and choices and kept
(app/core/layout.py kept_filters): what it shows is exactly WTForms' own rendering, for any query."""
import pytest
from flask import render_template_string, request

from app.core import layout
from app.extensions import db
from app.plans.models import Committee
from app.proposals import forms
from tests.proposals.factories import World

QUERIES = [
    "",
    "q=agua",
    "q=%3Cscript%3Ealert(1)%3C/script%3E&sort=newest",
    "committee=999999&theme=x&state=nope&municipality=%22%3E",
    "state=submitted&sort=supported",
    "committee=&theme=",
]
PLAIN = ('{% from "_macros/filters.html" import filters %}'
         '{{ filters(form, "proposals.index", filtered, "Filtrar", "proposal-filters", {"plan": request.args.get("plan")}) }}')
KEPT = ('{{ kept_filters(form, "proposals.index", filtered, "Filtrar", "proposal-filters", '
        '{"plan": request.args.get("plan")}) }}')


def _form(world):
    form = forms.prepare_filter_form(forms.FilterForm(formdata=request.args), world.plan)
    forms.filters_from(form)
    return form


@pytest.mark.parametrize("query", QUERIES)
def test_the_kept_form_is_wtforms_own_rendering(app, query):
    world = World()
    chosen = {"committee": world.committee.id, "theme": world.theme.id}
    query = query.replace("committee=999999", f"committee={chosen['committee']}")
    for _round in range(2):  # rendered, then kept
        with app.test_request_context(f"/proposals/?{query}"):
            form = _form(world)
            context = {"form": form, "filtered": bool(query)}
            assert render_template_string(KEPT, **context) == render_template_string(PLAIN, **context)


def test_a_renamed_committee_shows_at_once_and_a_chosen_option_is_not_kept_for_others(app):
    world = World()
    with app.test_request_context(f"/proposals/?committee={world.committee.id}"):
        html = render_template_string(KEPT, form=_form(world), filtered=True)
    assert f'<option selected value="{world.committee.id}">' in html
    db.session.get(Committee, world.committee.id).name = "Comité renombrado"
    db.session.flush()
    with app.test_request_context("/proposals/"):
        html = render_template_string(KEPT, form=_form(world), filtered=True)
    assert "Comité renombrado" in html and f'<option selected value="{world.committee.id}">' not in html


def test_the_form_is_rendered_once(app, monkeypatch):
    world = World()
    layout.cache_of(app).clear()
    rendered = []
    get_template = app.jinja_env.get_template
    monkeypatch.setattr(app.jinja_env, "get_template", lambda name, *a, **k: (
        rendered.append(name) if name == "_macros/filters.html" else None) or get_template(name, *a, **k))
    for query in ("q=uno", "q=dos", "q=tres&sort=newest"):
        with app.test_request_context(f"/proposals/?{query}"):
            assert query.split("&")[0][2:] in render_template_string(KEPT, form=_form(world), filtered=True)
    assert rendered == ["_macros/filters.html"]
