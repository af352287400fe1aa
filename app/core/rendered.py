"""User text rendered once, when written: models keep the safe HTML of their Markdown fields.

A model that shows Markdown mixes in `Rendered` and names its fields:

    class Comment(Rendered, Moderatable, db.Model):
        rendered_fields = ("body",)

Flush events (before_insert / before_update of every such model) fill `rendered` whenever a named
field is new or changed, and a conditional UPDATE statement setting one is followed by its render
(do_orm_execute), so no service can forget it; templates read it with `comment|rendered("body")` (HTML, as Markup) and
`comment|summary("body", 140)` (plain text, unescaped), and never run the Markdown
pipeline on a page view. `rendered` is {"html": {field: html}, "text": {field: plain}}; a field
holding a dict of texts (minutes' outcomes) stores a dict of HTML. `rendered_version` is the
RENDERER_VERSION it was made with: `flask content rerender` renders older (or missing) ones again, in
batches. A row without it (written before the columns, or by a bulk insert) is rendered on the page,
through the per-process cache of app/core/text.py, until the command has run.

Thread safety: nothing here is shared state; the event listeners are registered once at import and
render through app/core/text.py, whose pipeline is per thread.
"""
import operator

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup
from markupsafe import Markup
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.text import (
    PLAIN_CHARS,
    RENDERER_VERSION,
    PlainText,
    cut_plain,
    plain_summary,
    render_markdown,
    render_text,
)


class Rendered:
    """Mixin: `rendered_fields` are Markdown; their HTML and plain text are kept in `rendered`."""

    rendered_fields: tuple[str, ...] = ()
    rendered: Mapped[dict | None] = mapped_column(sa.JSON)
    rendered_version: Mapped[int | None] = mapped_column(sa.SmallInteger)


def render_fields(values: dict) -> dict:
    """The `rendered` value for {field: source}: each text (or each text of a dict) rendered once."""
    out_html, out_text = {}, {}
    for name, source in values.items():
        if isinstance(source, dict):
            out_html[name] = {key: render_text(text)[0] for key, text in source.items()}
        else:
            out_html[name], out_text[name] = render_text(source)
    return {"html": out_html, "text": out_text}


def _render_inserted(mapper, connection, target: Rendered) -> None:
    _render(target)


def _render_updated(mapper, connection, target: Rendered) -> None:
    state = inspect(target)
    if (target.rendered is None or target.rendered_version != RENDERER_VERSION
            or any(name in state.committed_state for name in target.rendered_fields)):
        _render(target)


def _render(target: Rendered) -> None:
    target.rendered = render_fields({name: getattr(target, name) for name in target.rendered_fields})
    target.rendered_version = RENDERER_VERSION


def _updated_id(statement, model):
    """The id an UPDATE's WHERE names (`Model.id == x`), or None."""
    for criterion in statement._where_criteria:
        left, right = getattr(criterion, "left", None), getattr(criterion, "right", None)
        if (getattr(criterion, "operator", None) is operator.eq and getattr(left, "key", None) == "id"
                and getattr(left, "table", None) is model.__table__ and hasattr(right, "value")):
            return right.value
    return None


def _render_on_update(orm_execute_state):
    """An ORM UPDATE statement (a conditional edit) that sets a Markdown field skips the flush: it
    marks the row's HTML stale, and the row it names by id is rendered again right after it. A
    row it does not name by id keeps the stale mark, shown rendered on the page until `flask
    content rerender`. An UPDATE by primary key with a list of rows (bulk) gets their HTML in
    each row's parameters."""
    if not orm_execute_state.is_update or orm_execute_state.bind_mapper is None:
        return None
    model = orm_execute_state.bind_mapper.class_
    if not issubclass(model, Rendered):
        return None
    statement, fields = orm_execute_state.statement, set(model.rendered_fields)
    params = orm_execute_state.parameters
    if isinstance(params, list | tuple) and params and isinstance(params[0], dict):
        if fields & set(params[0]):
            orm_execute_state.parameters = [_with_rendered(model, row) for row in params]
        return None
    if not any(getattr(column, "key", column) in fields for column in statement._values or ()):
        return None
    orm_execute_state.statement = statement.values(rendered_version=None)
    result = orm_execute_state.invoke_statement()
    row_id = _updated_id(statement, model)
    if row_id is not None:
        _render_rows(orm_execute_state.session, model, sa.and_(
            model.id == row_id, model.rendered_version.is_(None)))
    return result


def _with_rendered(model, row: dict) -> dict:
    """One row of a bulk UPDATE by primary key, with its HTML when it sets every Markdown field
    (else marked stale, for the page and `flask content rerender`)."""
    if all(name in row for name in model.rendered_fields):
        values = {name: row[name] for name in model.rendered_fields}
        return {**row, "rendered": render_fields(values), "rendered_version": RENDERER_VERSION}
    return {**row, "rendered_version": None}


def _render_rows(session, model, condition) -> int:
    """Render the rows of `model` matching `condition` and store it (Core statements)."""
    rows = session.execute(
        sa.select(model.id, *[getattr(model, name) for name in model.rendered_fields]).where(condition)
    ).all()
    if rows:
        table = model.__table__
        session.execute(
            table.update().where(table.c.id == sa.bindparam("row_id"))
            .values(rendered=sa.bindparam("new_rendered"), rendered_version=sa.bindparam("new_version")),
            [{"row_id": row[0], "new_version": RENDERER_VERSION,
              "new_rendered": render_fields(dict(zip(model.rendered_fields, row[1:], strict=True)))}
             for row in rows],
        )
    return len(rows)


# Registered once, at import. Mapper events of every Rendered model, run for each row as it is
# flushed (after every before_flush hook, so rows that hooks add are rendered too): a column set
# here is written with the row. And every session's UPDATE statements.
event.listen(Rendered, "before_insert", _render_inserted, propagate=True)
event.listen(Rendered, "before_update", _render_updated, propagate=True)
event.listen(Session, "do_orm_execute", _render_on_update)


def _unflushed(obj, field: str) -> bool:
    """True if what is stored may be older than `obj.<field>`: the object was never flushed, or the
    field was set since it was loaded (`committed_state` holds exactly those; cheap, unlike
    `state.attrs`, which builds a dict of every attribute on each call)."""
    state = inspect(obj, raiseerr=False)
    return state is None or state.key is None or field in state.committed_state


def stored_html(obj, field: str, key: str | None = None) -> Markup:
    """The stored HTML of `obj.<field>` (of `obj.<field>[key]` for a dict field)."""
    source = getattr(obj, field)
    if key is not None:
        source = (source or {}).get(key)
    if not source:
        return Markup("")
    stored = getattr(obj, "rendered", None)  # None too for an object that is not a Rendered model
    if stored is not None and obj.rendered_version == RENDERER_VERSION and not _unflushed(obj, field):
        value = stored["html"].get(field)
        if key is not None and isinstance(value, dict):
            value = value.get(key)
        if value is not None:
            return Markup(value)
    return render_markdown(source)


def stored_summary(obj, field: str, length: int = 200) -> PlainText:
    """plain_summary(obj.<field>, length) (plain text, unescaped: the template escapes it), from
    what is stored, which holds enough of it when length <= PLAIN_CHARS."""
    stored = getattr(obj, "rendered", None)  # None too for an object that is not a Rendered model
    if (length <= PLAIN_CHARS and stored is not None and obj.rendered_version == RENDERER_VERSION
            and not _unflushed(obj, field)):
        value = stored["text"].get(field)
        if value is not None:
            return PlainText(cut_plain(value, length))
    return PlainText(plain_summary(getattr(obj, field), length))


def rendered_models() -> list[type]:
    from app.extensions import db

    return sorted(
        (m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, Rendered)),
        key=lambda cls: cls.__tablename__,
    )


def _stale(model, every: bool):
    if every:
        return sa.true()
    return sa.or_(model.rendered_version.is_(None), model.rendered_version < RENDERER_VERSION)


def _stale_ids(model, every: bool, after: int, size: int):
    """The next `size` ids to render after `after` (keyset: constant memory, one batch at a time)."""
    return (sa.select(model.id).where(model.id > after, _stale(model, every))
            .order_by(model.id).limit(size))


def rerender(every: bool = False, size: int = 500, echo=lambda line: None) -> dict[str, int]:
    """Render again the stored HTML of every row older than RENDERER_VERSION (every row if
    `every`); each batch is committed on its own, so the work survives an interruption and memory
    stays constant. Core statements: no ORM object, no flush listener, no audit-table guard."""
    from app.extensions import db

    counts = {}
    for model in rendered_models():
        done, last = 0, 0
        while True:
            ids = db.session.scalars(_stale_ids(model, every, last, size)).all()
            if not ids:
                break
            done += _render_rows(db.session, model, model.id.between(ids[0], ids[-1]) & _stale(model, every))
            db.session.commit()
            last = ids[-1]
        counts[model.__tablename__] = done
        echo(f"{model.__tablename__}: {done}")
    return counts


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["rendered"] = stored_html
    app.jinja_env.filters["summary"] = stored_summary


def register_cli(app: Flask) -> None:
    content = AppGroup("content", help="Stored user text.")

    @content.command("rerender")
    @click.option("--all", "every", is_flag=True, help="Every row, not only those rendered by an older renderer.")
    @click.option("--batch", default=500, show_default=True, help="Rows per transaction.")
    def rerender_command(every, batch):
        """Render the stored HTML of user text again (after an upgrade that changes the renderer,
        or after a bulk import); only rows made by an older renderer unless --all."""
        counts = rerender(every=every, size=batch, echo=click.echo)
        click.echo(f"Rendered again: {sum(counts.values())} rows (renderer version {RENDERER_VERSION}).")

    app.cli.add_command(content)
