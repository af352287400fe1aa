"""User text renders the same from many threads at once as from one (issue 11).

gunicorn's threaded workers render pages in several threads of one process, so whatever
app.core.text keeps at module level is shared by them; bleach documents its Cleaner and Linker
as not thread-safe. Every thread here renders at the same moment (a barrier) and compares each
output with the one rendered alone, before any thread started.

Finished renders are cached by their source (app/core/text.py), so a text rendered alone first
would come from the cache in every thread: the threads here call the pipeline behind the cache
(`__wrapped__`), which is where a shared parser would mix requests up.
"""
import ctypes
import sys
import threading
import time

import pytest

from app.core import text as app_text
from app.core.text import plain_excerpt, render_markdown
from tests.factories import HOSTILE

THREADS = 8
RENDERS = 100  # per thread: the shared Cleaner got 170–660 of 800 renders wrong in every run
# Some renders never end: a parser whose state another thread changed can loop for ever.
DEADLINE_SECONDS = 30

# Different in every thread, each exercising a different part of the renderer and the sanitiser.
TEXTS = [
    "**Negrita** y _cursiva_, con [un enlace](https://example.org/a) y otro suelto: "
    "https://durango.gob.mx/obras?id=1\n\n- uno\n- dos\n  - dos y medio\n- tres",
    "1. Reparar el bache\n2. Poner señalización\n3. Informar en [el portal](https://example.org/b)"
    "\n\n> Cita de la vecina\n> con dos líneas",
    "### Resumen\n\nEl `folio-22` sigue abierto.\n\n```\nreporte: pendiente\nhttps://no-es-enlace.example\n```",
    "| calle | baches |\n|---|---|\n| Negrete | 12 |\n| Pino Suárez | 3 |\n\nCorreo: vecinos@example.org",
    f"{HOSTILE} <a href=\"javascript:alert(1)\">clic</a> ![foto](https://evil.example/x.png) "
    "![local](/static/img/logo.png)",
    "# Título que se degrada\n\n---\n\n*a* **b** ~~c~~ <b>crudo</b> www.example.org/d y "
    "mailto:alguien@example.org",
    "Párrafo largo con acentos: " + "áéíóú ñ 🌵 " * 60 + "\n\nY un [enlace final](http://example.org/e).",
    "- [ ] tarea\n- [x] hecha\n\n<img src=x onerror=alert(2)>\n\n`<script>` en código "
    "y http://example.org/f?a=1&b=2",
]


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    """Python switches threads every 5 ms by default, about the time of one render on a fast
    machine: switching every 0.1 ms makes threads meet inside a render on any machine."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(interval)


class _Stopped(Exception):
    """Raised inside a thread that did not finish in time, so that it stops using the CPU."""


def _stop(thread: threading.Thread) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Stopped))


def _render_together(render, texts: list[str]) -> list[str]:
    """Thread i renders texts[i] RENDERS times, all threads starting together; returns a
    description of every output that differs from the one rendered alone, that raised, or that
    had not ended by the deadline."""
    alone = {text: str(render(text)) for text in set(texts)}
    barrier = threading.Barrier(len(texts))
    problems: list[str] = []

    def work(text: str) -> None:
        barrier.wait()
        try:
            for _ in range(RENDERS):
                try:
                    output = str(render(text))
                except _Stopped:
                    raise
                except Exception as exc:  # noqa: BLE001 - a crash is one of the outcomes looked for
                    problems.append(f"raised {exc!r}")
                    continue
                if output != alone[text]:
                    problems.append(f"rendered {output[:120]!r}, alone {alone[text][:120]!r}")
        except _Stopped:
            problems.append(f"still rendering after {DEADLINE_SECONDS} s (an endless loop)")

    threads = [threading.Thread(target=work, args=(text,), daemon=True) for text in texts]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + DEADLINE_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for thread in threads:
        while thread.is_alive():
            _stop(thread)
            thread.join(1)
    return problems


def _summary(problems: list[str]) -> str:
    kinds = {kind: sum(p.startswith(kind) for p in problems) for kind in ("rendered", "raised", "still")}
    return (f"{len(problems)} of {THREADS * RENDERS} renders went wrong: {kinds['rendered']} differ, "
            f"{kinds['raised']} raised, {kinds['still']} never ended; first: {problems[:3]}")


# The pipeline itself, without the cache of finished renders.
PIPELINES = [app_text._rendered.__wrapped__, app_text._plain.__wrapped__]


@pytest.mark.parametrize("render", PIPELINES, ids=["markdown", "excerpt"])
def test_the_same_text_from_many_threads_renders_as_it_does_alone(render):
    problems = _render_together(render, [TEXTS[0]] * THREADS)

    assert not problems, _summary(problems)


@pytest.mark.parametrize("render", PIPELINES, ids=["markdown", "excerpt"])
def test_different_texts_from_many_threads_each_render_as_alone(render):
    problems = _render_together(render, TEXTS[:THREADS])

    assert not problems, _summary(problems)


@pytest.mark.parametrize("render", [render_markdown, plain_excerpt], ids=["markdown", "excerpt"])
def test_the_cached_renders_from_many_threads_are_the_pipelines_own(render):
    app_text._rendered.cache_clear()
    app_text._plain.cache_clear()
    problems = _render_together(render, TEXTS[:THREADS])

    assert not problems, _summary(problems)
    pipeline = PIPELINES[0] if render is render_markdown else PIPELINES[1]
    for source in TEXTS:
        expected = pipeline(source)
        if render is plain_excerpt:
            expected = expected if len(expected) <= 200 else expected[:199].rstrip() + "…"
        assert str(render(source)) == expected
