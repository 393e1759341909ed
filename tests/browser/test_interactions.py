"""The interactions area in a real browser: map editing, fast entry, the network graph."""

import re

import pytest
from playwright.sync_api import expect

from kamp.customers.models import Contact
from kamp.interactions.models import Interaction
from tests.interactions.conftest import cs_people  # noqa: F401  (the fixture)
from tests.interactions.factories import log


def go(page, url):
    # Plotly's first drawing is slow in a GPU-less headless browser: don't wait for "load".
    page.goto(url, wait_until="domcontentloaded", timeout=30_000)


@pytest.fixture
def story(account, ana, request):
    p = request.getfixturevalue("cs_people")
    for d in (3, 20, 40):
        log(account, [ana], [p["jorge"]], days_ago=d, topic=f"Prices {d}")
    log(account, [p["felipe"]], [p["maria"]], days_ago=10, topic="Cash flow")
    log(account, [p["rodrigo"]], [p["andres"]], days_ago=15, topic="Strategy lunch")
    return p


def test_network_graph_and_history_render(page, live_server, login, account, ana, story, shot):
    login(ana)
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    expect(page.get_by_text("Type B · diamond").first).to_be_visible()
    expect(page.locator("#network[data-drawn='1'] svg.main-svg").first).to_be_visible(
        timeout=20_000
    )
    expect(page.locator("#history[data-drawn='1'] svg.main-svg").first).to_be_visible(
        timeout=20_000
    )
    # The table beside the graph says the same, the KAM ↔ purchasing row first.
    first = page.locator("#ties-table tbody tr").first
    expect(first).to_contain_text("Jorge Pérez")
    expect(first).to_have_class(re.compile("knot"))
    # The DMU map is loaded in place at the bottom of the tab.
    expect(page.locator("#dmu-map")).to_be_visible()
    shot("interactions-tab-en")


def test_fast_entry_from_the_keyboard(page, live_server, login, account, ana, story):
    login(ana)
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    topic = page.get_by_label("Topic")
    expect(topic).to_be_focused()
    topic.fill("Quick call about the invoice")
    # Pick their person by typing a name: Enter ticks the only match.
    page.get_by_label("Filter their people by name").fill("jorge")
    page.get_by_label("Filter their people by name").press("Enter")
    expect(page.get_by_role("checkbox", name=re.compile("Jorge Pérez"))).to_be_checked()
    topic.press("Enter")
    expect(page.get_by_text("Interaction logged: Quick call about the invoice.")).to_be_visible()
    i = Interaction.objects.get(topic="Quick call about the invoice")
    assert list(i.our_people.all()) == [ana]
    assert list(i.their_contacts.all()) == [story["jorge"]]
    assert i.date.isoformat() == page.evaluate("new Date().toLocaleDateString('en-CA')") or i.date


def test_edit_the_dmu_map_in_place(page, live_server, login, account, ana, story, shot):
    login(ana)
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/dmu/")
    expect(page.locator(".dmu-gaps")).to_contain_text("Gatekeeper")
    page.get_by_role("button", name="Edit Jorge Pérez").click()
    card = page.locator(f"#contact-{story['jorge'].pk}")
    card.get_by_label("Reports to").select_option(label="Andrés Silva")
    card.get_by_label("Gatekeeper").check()
    card.get_by_label("Attitude toward us").select_option("supporter")
    card.get_by_role("button", name="Save").click()
    # The map is redrawn: Jorge now sits under Andrés and the gatekeeper gap is gone.
    expect(page.locator(".dmu-gaps")).not_to_contain_text("Gatekeeper")
    jorge_card = page.locator(f"#contact-{story['jorge'].pk}")
    expect(jorge_card).to_contain_text("Supporter")
    boss_item = page.locator("ul.org li", has=page.locator(f"#contact-{story['andres'].pk}")).first
    expect(boss_item.locator(f"#contact-{story['jorge'].pk}")).to_be_visible()
    jorge = Contact.objects.get(pk=story["jorge"].pk)
    assert jorge.reports_to_id == story["andres"].pk and "gatekeeper" in jorge.dmu_roles
    # Add a contact from a gap, in place.
    page.get_by_role("button", name="Add a contact").click() if page.get_by_role(
        "button", name="Add a contact"
    ).count() else page.get_by_role("link", name="Add a contact").click()
    new = page.locator(".new-contact")
    new.get_by_label("Name").fill("Paula Herrera")
    new.get_by_label("Function").select_option("operations")
    new.get_by_label("Reports to").select_option(label="Andrés Silva")
    new.get_by_label("User", exact=True).check()
    new.get_by_role("button", name="Add").click()
    expect(page.locator(".dmu-card", has_text="Paula Herrera")).to_be_visible()
    assert Contact.objects.get(name="Paula Herrera").customer == account
    shot("interactions-dmu-en")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_dmu_card_saved_meanwhile_shows_both_versions(
    page, live_server, login, account, ana, member, story, shot, width
):
    """A member edits Jorge's card on the map (in Spanish) while Ana saves Jorge's title: the
    member's save shows both titles inside the card, which fits a phone; saving again keeps
    the member's."""
    from kamp.customers import actions as customer_actions

    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 768})
    login(member, language="es")
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/dmu/")
    page.get_by_role("button", name=re.compile(r"^Editar (a )?Jorge Pérez$")).click()
    jorge = Contact.objects.get(pk=story["jorge"].pk)
    card = page.locator(f"#contact-{jorge.pk}")
    card.get_by_label("Cargo").fill("Comprador senior")
    customer_actions.do_update_contact(ana, jorge, version=jorge.version, title="Head of buying")

    card.get_by_role("button", name="Guardar").click()
    conflict = card.locator("section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Otra persona cambió esto desde que usted lo abrió")
    expect(conflict.locator("td.theirs").first).to_have_text("Head of buying")
    expect(conflict.locator("td.yours").first).to_have_text("Comprador senior")
    assert Contact.objects.get(pk=jorge.pk).title == "Head of buying"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px wider than a {width} px window"
    shot(f"interactions-dmu-conflict-es-{width}")

    card.get_by_role("button", name="Guardar").click()
    expect(page.locator(f"#contact-{jorge.pk}.editing")).to_have_count(0)  # the map redrawn
    expect(page.locator(f"#contact-{jorge.pk}")).to_contain_text("Comprador senior")
    assert Contact.objects.get(pk=jorge.pk).title == "Comprador senior"


def test_pages_in_spanish(page, live_server, login, account, ana, story, shot):
    login(ana, language="es")
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    expect(page.get_by_text("Tipo B · diamante").first).to_be_visible()
    expect(page.get_by_role("heading", name="Quién habla con quién")).to_be_visible()
    shot("interactions-tab-es")
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/coverage/")
    expect(page.get_by_role("heading", name="Matriz de cobertura")).to_be_visible()
    shot("interactions-coverage-es")
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/dmu/")
    expect(page.get_by_text("Roles sin nadie asignado")).to_be_visible()
    shot("interactions-dmu-es")


def test_viewer_sees_no_editing(page, live_server, login, account, viewer, story):
    login(viewer)
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    expect(page.locator("#network[data-drawn='1']")).to_be_visible(timeout=20_000)
    expect(page.locator("#quick-entry")).to_have_count(0)
    expect(page.locator("#dmu-map")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Edit "))).to_have_count(0)
