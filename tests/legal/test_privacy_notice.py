"""The privacy notice: public, filled in from the settings, linked from registration and from
itself to the ARCO tools."""
import pytest


@pytest.fixture
def settings(app):
    saved = {k: app.config[k] for k in ("GUARANTOR_NAME", "GUARANTOR_EMAIL", "GUARANTOR_ADDRESS",
                                        "PRIVACY_UPDATED_ON")}
    yield app.config
    app.config.update(saved)


def test_the_notice_is_public_and_names_the_configured_guarantor(client, settings):
    settings.update(GUARANTOR_NAME="Órgano <b>Garante</b> de Prueba",
                    GUARANTOR_EMAIL="datos@garante.example.org",
                    GUARANTOR_ADDRESS="Calle Falsa 123, Durango", PRIVACY_UPDATED_ON="2026-03-15")

    response = client.get("/privacy?lang=en")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Órgano &lt;b&gt;Garante&lt;/b&gt; de Prueba" in html and "<b>Garante" not in html
    assert 'href="mailto:datos@garante.example.org"' in html
    assert "Calle Falsa 123, Durango" in html
    assert "March 15, 2026" in html
    assert "Ley General de Protección de Datos Personales en Posesión de Sujetos Obligados" in html
    # The state's own law is named by the guarantor body's text, not by the code (issue 13).
    assert "the state's law on the protection of personal data held by public bodies" in html


def test_the_notice_links_to_every_arco_tool(client):
    html = client.get("/privacy").get_data(as_text=True)
    for path in ("/account/my-data.json", "/account/profile", "/account/email", "/account/delete"):
        assert f'href="{path}"' in html, path


def test_a_malformed_date_setting_is_shown_as_written_not_a_500(client, settings):
    settings["PRIVACY_UPDATED_ON"] = "primavera 2026"
    response = client.get("/privacy")
    assert response.status_code == 200
    assert "primavera 2026" in response.get_data(as_text=True)


def test_the_notice_is_in_spanish_by_default(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert 'lang="es-MX"' in html


@pytest.mark.parametrize("page", ["/account/register/citizen", "/account/register/organisation"])
def test_both_registration_forms_link_to_the_notice(client, page):
    html = client.get(page).get_data(as_text=True)
    assert 'href="/privacy"' in html


def test_the_notice_has_no_inline_script_or_style(client):
    html = client.get("/privacy").get_data(as_text=True)
    body = html.split("<main", 1)[-1]
    assert "<script" not in body and "style=" not in body
