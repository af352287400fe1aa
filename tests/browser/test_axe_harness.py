"""The accessibility check itself (tests/browser/conftest.py check_axe): it must fail on a page with
serious violations and name them, pass a clean page, and see a violation that appears after a
first check of the same document (axe-core is then already loaded and is not loaded again)."""
import pytest

from tests.browser.conftest import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.shared_context]

CLEAN = """<!doctype html><html lang="es"><head><title>Limpia</title></head>
<body><main><h1>Página limpia</h1><p>Texto legible.</p></main></body></html>"""

BROKEN = """<!doctype html><html lang="es"><head><title>Con fallas</title></head>
<body><main><h1>Página con fallas</h1>
<p style="color:#eeeeee;background:#ffffff">Texto casi invisible.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""


def test_a_clean_page_passes(page):
    page.set_content(CLEAN)
    check_axe(page)


def test_serious_violations_fail_the_check_and_are_named(page):
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        check_axe(page)
    message = str(failure.value)
    assert "color-contrast (serious)" in message
    assert "image-alt (critical)" in message
    assert "at img" in message  # where on the page


def test_a_violation_added_after_a_first_check_is_found(page):
    page.set_content(CLEAN)
    check_axe(page)
    assert page.evaluate("() => typeof window.axe") == "object"
    page.evaluate("""() => {
        const image = document.createElement('img');
        image.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
        document.querySelector('main').append(image);
    }""")
    with pytest.raises(AssertionError, match="image-alt"):
        check_axe(page)
