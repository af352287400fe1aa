"""The Spanish catalogue covers every user-facing string, with the same placeholders."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app/translations/es_MX/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _extract(tmp_path) -> list:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        # Babel skips folders starting with "_" by default: templates/_macros holds strings too.
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "--ignore-dirs", ".* __pycache__", "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        messages = [m for m in read_po(handle) if m.id]
    assert any(m.id == "Share by email" for m in messages), "templates/_macros was not read"
    return messages


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


# The catalogue against the source (a Babel extraction), no database: once (tests/README.md).
@pytest.mark.single_backend
def test_every_string_has_a_spanish_translation(tmp_path):
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    missing, fuzzy, mismatched = [], [], []
    for message in _extract(tmp_path):
        translated = catalogue.get(message.id)
        if translated is None or not translated.string or (
            isinstance(translated.string, tuple) and not all(translated.string)
        ):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
            continue
        if translated.fuzzy:
            fuzzy.append(message.id)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        wanted = set().union(*(_placeholders(i) for i in ids))
        got = set().union(*(_placeholders(s) for s in strings))
        if not got <= wanted or (len(ids) == 1 and got != wanted):
            mismatched.append((ids[0], strings[0]))
    assert not missing, f"{len(missing)} strings lack a Spanish translation, e.g. {missing[:10]}"
    assert not fuzzy, f"fuzzy translations: {fuzzy[:10]}"
    assert not mismatched, f"placeholders differ: {mismatched[:10]}"


def test_the_interface_is_spanish_by_default_and_english_on_request(client):
    html = client.get("/account/login").get_data(as_text=True)
    assert 'lang="es-MX"' in html
    assert "Iniciar sesión" in html or "Entrar" in html
    client.submit("/language", {"lang": "en", "next": "/account/login"}, page="/account/login")
    html = client.get("/account/login").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Log in" in html


@pytest.mark.single_backend
def test_no_message_is_written_twice_in_the_catalogue():
    """Helpers append their strings at the end of messages.po: a msgid added twice compiles
    silently (the last wins), so two translations could drift apart unseen."""
    text = PO.read_text(encoding="utf-8")
    keys = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\n(?=msgstr|msgid_plural)', text, re.M)
    seen, twice = set(), []
    for key in keys:
        if key[1] and key in seen:
            twice.append(key[1])
        seen.add(key)
    assert not twice, f"written twice in {PO.name}: {twice[:5]}"
