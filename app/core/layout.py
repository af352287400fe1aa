"""The site's header and footer, rendered once per language and class of viewer, not per page.

Every page carries the same header (brand, language switch, menu, search box, account links) and
footer (links, the guarantor body): some 80 translated strings and 30 URLs, about half the CPU of
a plain page when rendered each time. They are rendered once per *key* (the locale, the script
root, the site's name, and for the header whether the viewer is signed in, sees the moderation
link, sees the administration link; for the footer the guarantor body) and kept per app. What
differs per request is left in the kept HTML as a *slot* (`<!--layout:NAME-->`, which escaped
text can never contain) and filled on each request: the CSRF token, the page's own address for
the language switch, the search box's query, which menu link is the current page
(aria-current), and the notifications bell (itself kept per locale, unread count and currency).

LAYOUT_KEPT = False (or debug mode, where templates reload) renders them on every request.
"""
import hashlib
import re
import threading

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.core import i18n
from app.core.permissions import can

EXTENSION = "cocrea_layout"
# A slot's mark. Compiled patterns are immutable and thread-safe (the re documentation).
SLOT = re.compile(r"<!--layout:([^<>]+?)-->")
CURRENT = "current:"  # a slot `current:<endpoint>` holds aria-current on the link to that page
LIMIT = 512  # kept parts per app; the keys are few (locales × viewer classes × bell counts)


def slot(name: str) -> Markup:
    """The mark of the slot `name` (escaped: a choice's value may hold any text)."""
    return Markup("<!--layout:{}-->").format(name)


class LayoutCache:
    """Thread-safe: one per app; `parts` is only changed under `lock` (readers take a value whole)."""

    def __init__(self):
        self.parts: dict[tuple, tuple[str, ...]] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple, render) -> tuple[str, ...]:
        found = self.parts.get(key)
        if found is None:
            found = tuple(SLOT.split(str(render())))  # literal, slot name, literal, ...
            with self.lock:
                if len(self.parts) >= LIMIT:
                    self.parts.clear()
                self.parts[key] = found
        return found

    def clear(self) -> None:
        with self.lock:
            self.parts.clear()


def cache_of(app=None) -> LayoutCache:
    app = app or current_app
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        cache = app.extensions.setdefault(EXTENSION, LayoutCache())
    return cache


def _kept(render, key: tuple) -> tuple[str, ...]:
    app = current_app._get_current_object()
    if not app.config.get("LAYOUT_KEPT", True) or app.debug:
        return tuple(SLOT.split(str(render())))
    return cache_of(app).get(key, render)


def _fill(parts: tuple[str, ...], values: dict, endpoint: str | None) -> Markup:
    out = []
    for index, part in enumerate(parts):
        if not index % 2:
            out.append(part)
        elif part.startswith(CURRENT):
            target = part[len(CURRENT):]
            current = endpoint is not None and (
                endpoint == target or (target.endswith("*") and endpoint.startswith(target[:-1])))
            out.append(' aria-current="page"' if current else "")
        else:
            out.append(values.get(part, ""))
    return Markup("".join(out))


def _base_key(name: str) -> tuple:
    return (name, str(get_locale()), request.script_root, current_app.config["SITE_NAME"])


def header(unread=None, bell: str = "notifications/_bell.html") -> Markup:
    """The skip link and the site header of this request (base.html); `unread()` gives the
    signed-in person's unread notifications, which the `bell` template shows."""
    signed_in = bool(current_user.is_authenticated)
    moderation = signed_in and bool(current_user.is_admin or current_user.moderator_scopes)
    admin = signed_in and can(current_user, "admin.access")
    env = current_app.jinja_env

    def render():
        return env.get_template("_layout/header.html").render(
            signed_in=signed_in, show_moderation=moderation, show_admin=admin, slot=slot,
            site_name=current_app.config["SITE_NAME"], html_lang=i18n.html_lang(),
            language_names=i18n.LANGUAGE_NAMES)

    parts = _kept(render, (*_base_key("header"), signed_in, moderation, admin))
    endpoint = request.endpoint
    values = {
        "next": str(escape(request.full_path if request.method == "GET" else "/")),
        "search_q": str(escape(request.args.get("q", ""))) if endpoint == "search.results" else "",
    }
    if signed_in:
        values["csrf"] = str(escape(generate_csrf()))
        values["bell"] = _bell(bell, unread() if unread is not None else 0,
                               endpoint == "notifications.index")
    return _fill(parts, values, endpoint)


def _bell(template: str, unread: int, current: bool) -> str:
    """The notifications bell with this unread count (kept per count: a few small ints)."""
    env = current_app.jinja_env

    def render():
        return env.get_template(template).render(unread=unread, bell_current=current)

    return "".join(_kept(render, (*_base_key("bell"), template, unread, current)))


def footer(body) -> Markup:
    """The site footer, with the current plan's guarantor `body` (base.html)."""
    env = current_app.jinja_env

    def render():
        return env.get_template("_layout/footer.html").render(body=body)

    return _fill(_kept(render, (*_base_key("footer"), body.name, body.email)), {}, None)


def _choices_shape(field) -> list[tuple[str, str]]:
    """A select's (value, label) pairs as text: from its choices when they are a plain list (no
    option objects built), else as WTForms draws them (groups)."""
    if isinstance(field.choices, list | tuple) and all(isinstance(c, tuple) for c in field.choices):
        return [(str(value), str(label)) for value, label, *_rest in field.choices]
    return [(str(choice.value), str(choice.label)) for choice in field.iter_choices()]


def kept_filters(form, endpoint: str, filtered: bool, label, class_: str, keep: dict | None = None,
                 choices=None) -> Markup:
    """A list's filter form (templates/_macros/filters.html), rendered once per language, choices
    and kept arguments: WTForms draws each option of each select anew otherwise (some 80 on the
    proposal list). The query's text and the chosen options are filled per request. `choices`,
    when the page has it, is a value that changes whenever the selects' choices do (the plan's
    kept catalogue): the choices are then not read option by option to key the form."""
    keep = {name: value for name, value in (keep or {}).items() if value}
    selects = [field for field in form if field.type == "SelectField"]
    if choices is None:
        choices = [(field.name, _choices_shape(field)) for field in selects]
    shape = hashlib.sha1(repr(choices).encode()).hexdigest()
    env = current_app.jinja_env

    def render():
        macro = env.get_template("_macros/filters.html").module.filters
        return macro(form, endpoint, filtered, label, class_, keep, slot=slot)

    parts = _kept(render, (*_base_key("filters"), endpoint, bool(filtered), str(label), class_,
                           tuple(sorted(keep.items())), tuple(field.name for field in form), shape))
    values = {"q": str(escape(form.q.data or ""))}
    for field in selects:
        if field.data is not None:
            values[str(escape(f"selected:{field.name}:{field.data}"))] = " selected"
    return _fill(parts, values, None)


def init_app(app) -> None:
    app.extensions[EXTENSION] = LayoutCache()
    app.add_template_global(header, "layout_header")
    app.add_template_global(footer, "layout_footer")
    app.add_template_global(kept_filters, "kept_filters")
