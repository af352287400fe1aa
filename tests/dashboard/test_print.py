"""The printable Local Action Plan: committees with their current members, and every public
commitment with all the template's fields and its milestones."""
import re
from datetime import date

from app.commitments.models import (
    OGP_VALUES,
    TEMPLATE_FIELDS,
    CommitmentState,
    MilestoneStatus,
)
from app.extensions import db
from app.plans.models import CommitteeMember, MemberKind
from tests.dashboard.factories import make_commitment
from tests.factories import make_committee, make_plan, make_theme


def printed(client) -> str:
    response = client.get("/dashboard/plan/print")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")


def test_printable_plan_contains_every_template_field_and_the_milestones(client):
    plan = make_plan()
    committee = make_committee(plan)
    theme = make_theme(plan, "Transparencia")
    commitment = make_commitment(plan, committee, theme, milestones=[
        (MilestoneStatus.complete, date(2025, 3, 1)), (MilestoneStatus.not_started, date(2026, 6, 1)),
    ])
    commitment.value_technology = ""  # a value not claimed
    commitment.problem = "Un **problema** con [enlace](https://example.org/datos)"
    db.session.commit()

    html = printed(client)

    article = re.search(rf'<article class="doc-commitment" id="commitment-{commitment.id}".*?</article>',
                        html, re.S).group(0)
    for name in TEMPLATE_FIELDS:
        value = getattr(commitment, name)
        if not value:
            continue
        marker = value.split(" ", 1)[0] if name != "problem" else "<strong>problema</strong>"
        assert marker in article, name
    # Every field has its row, the OGP values grouped with "not claimed" for the empty one.
    rows = set(re.findall(r'data-field="([a-z_-]+)"', article))
    assert rows >= {f for f in TEMPLATE_FIELDS if f != "title"} - set(OGP_VALUES) | {"ogp-values"}
    assert set(OGP_VALUES) <= rows
    assert article.count("<dd>") == len(OGP_VALUES)
    # Markdown is rendered and links show their address when printed (CSS), with safe rel.
    assert '<a href="https://example.org/datos" rel="nofollow ugc noopener">enlace</a>' in article
    assert "<script" not in article
    assert escaped(commitment.title) in article
    for milestone in commitment.milestones:
        assert f'data-milestone="{milestone.id}"' in article
        assert escaped(milestone.responsible) in article
    assert article.count("<tr data-milestone=") == 2


def test_printable_plan_lists_committees_with_their_current_members_only(client):
    plan = make_plan()
    first = make_committee(plan, position=0)
    second = make_committee(plan, position=1)
    db.session.add_all([
        CommitteeMember(committee_id=first.id, name="Raquel Leila Arreola Fallad",
                        position_title="Secretaria de la Contraloría", kind=MemberKind.government),
        CommitteeMember(committee_id=first.id, name="Persona Saliente", position_title="Titular",
                        kind=MemberKind.cs_titular, term_end=date(2021, 2, 1)),
        CommitteeMember(committee_id=second.id, name="Víctor Omar Villarreal Tavizon",
                        position_title="Facilitador", kind=MemberKind.facilitator),
    ])
    db.session.commit()
    make_commitment(plan, second, title="Señalética vial")
    make_commitment(plan, second, state=CommitmentState.draft, title="Borrador oculto")

    html = printed(client)

    assert "Raquel Leila Arreola Fallad" in html and "Secretaria de la Contraloría" in html
    assert "Víctor Omar Villarreal Tavizon" in html
    assert "Persona Saliente" not in html
    assert "Señalética vial" in html and "Borrador oculto" not in html
    sections = re.findall(r'<section class="doc-committee" id="committee-(\d+)"', html)
    assert sections == [str(first.id), str(second.id)], "every committee, in the plan's order"
    assert html.index("Raquel Leila") < html.index("Víctor Omar") < html.rindex("Señalética vial")
    assert plan.period in html


def test_printable_plan_has_print_styles_and_no_scripts(client, app):
    make_commitment(make_plan(), make_committee())
    html = printed(client)
    assert "<script" not in html.replace('&lt;script', '') and ' style="' not in html
    css = (app.static_folder + "/css/cocrea.css")
    with open(css, encoding="utf-8") as f:
        stylesheet = f.read()
    section = stylesheet.split("«¿Cómo vamos?» dashboard and printable plan", 1)[1]
    assert ".doc-committee { break-before: page;" in section
    assert 'content: " (" attr(href) ")"' in section
