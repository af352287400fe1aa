"""The word-level diff between two versions: segments, HTML and milestones."""
from app.commitments.diff import (
    DELETE,
    EQUAL,
    INSERT,
    Segment,
    diff_text,
    diff_versions,
    render_inline,
    tokenize,
)


def _snapshot(milestones=(), **fields) -> dict:
    return {"fields": fields, "milestones": list(milestones)}


def _m(id_=None, **changes) -> dict:
    row = {"description": "Publicar datos", "responsible": "Salud", "starts_on": "2026-04-01",
           "ends_on": "2026-09-30", "deliverable": "Portal"}
    if id_ is not None:
        row["id"] = id_
    row.update(changes)
    return row


def test_tokens_keep_words_spaces_and_punctuation():
    assert tokenize("Hola, mundo  nuevo") == ["Hola", ",", " ", "mundo", "  ", "nuevo"]
    assert "".join(tokenize("línea\nÑandú 🌵")) == "línea\nÑandú 🌵"


def test_insert_a_word():
    assert diff_text("datos abiertos", "datos muy abiertos") == [
        Segment(EQUAL, "datos "), Segment(INSERT, "muy "), Segment(EQUAL, "abiertos"),
    ]


def test_delete_a_word():
    assert diff_text("datos muy abiertos", "datos abiertos") == [
        Segment(EQUAL, "datos "), Segment(DELETE, "muy "), Segment(EQUAL, "abiertos"),
    ]


def test_change_shows_deletion_before_insertion():
    assert diff_text("un portal web", "un registro web") == [
        Segment(EQUAL, "un "), Segment(DELETE, "portal"), Segment(INSERT, "registro"),
        Segment(EQUAL, " web"),
    ]


def test_from_and_to_empty_text():
    assert diff_text("", "nuevo texto") == [Segment(INSERT, "nuevo texto")]
    assert diff_text("viejo", None) == [Segment(DELETE, "viejo")]
    assert diff_text("", "") == []


def test_html_marks_changes_for_eyes_and_screen_readers():
    html = str(render_inline(diff_text("uno dos", "uno tres")))
    assert '<del class="diff-del">' in html and '<ins class="diff-ins">' in html
    assert html.count('class="visually-hidden"') == 4  # start and end of each change
    assert html.index("dos") < html.index("tres")


def test_html_is_escaped():
    html = str(render_inline(diff_text("<b>hola</b>", '<script>alert("x")</script> hola')))
    assert "<script" not in html and "<b>" not in html and "</b>" not in html
    assert "&lt;" in html and "&gt;" in html and "&#34;x&#34;" in html


def test_field_diffs_report_changed_fields_only_as_changed():
    diff = diff_versions(
        _snapshot(title="Título", objective="Objetivo viejo", theme="Salud"),
        _snapshot(title="Título", objective="Objetivo nuevo", theme="Salud"),
    )
    assert [f.name for f in diff.changed_fields] == ["objective"]
    assert diff.has_changes and diff.changed_milestones == []
    assert "nuevo" in str(diff.changed_fields[0].html)


def test_identical_versions_have_no_changes():
    snap = _snapshot([_m(1)], title="Igual")
    assert not diff_versions(snap, snap).has_changes


def test_milestone_added_and_removed_by_id():
    old = _snapshot([_m(1, description="Primero"), _m(2, description="Segundo")])
    new = _snapshot([_m(1, description="Primero"), _m(3, description="Tercero")])
    diff = diff_versions(old, new)
    kinds = [(m.kind, m.old_position, m.new_position) for m in diff.milestones]
    assert kinds == [("unchanged", 1, 1), ("removed", 2, None), ("added", None, 2)]
    added = diff.milestones[2]
    assert all(seg.kind == INSERT for f in added.fields for seg in f.segments)
    removed = diff.milestones[1]
    assert "Segundo" in str(removed.fields[0].html) and "<del" in str(removed.fields[0].html)


def test_milestone_changed_in_one_field():
    diff = diff_versions(_snapshot([_m(1)]), _snapshot([_m(1, ends_on="2026-10-31")]))
    (m,) = diff.milestones
    assert m.kind == "changed"
    assert [f.name for f in m.fields if f.changed] == ["ends_on"]


def test_moved_milestone_is_a_change():
    diff = diff_versions(_snapshot([_m(1, description="A"), _m(2, description="B")]),
                         _snapshot([_m(2, description="B"), _m(1, description="A")]))
    assert {m.kind for m in diff.milestones} == {"changed"}


def test_milestones_without_ids_pair_by_position():
    diff = diff_versions(_snapshot([_m(description="A")]),
                         _snapshot([_m(description="A cambiado"), _m(description="B")]))
    assert [m.kind for m in diff.milestones] == ["changed", "added"]


def test_missing_snapshots_are_empty():
    diff = diff_versions(None, _snapshot(title="Nuevo"))
    assert [f.name for f in diff.changed_fields] == ["title"]
