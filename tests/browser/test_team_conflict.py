"""Two people in two browsers change the same team member's role on the account (the inline form
on the People tab): the second, in Spanish, is told in the member's row, sees both versions and
chooses; nothing is silently overwritten."""

from __future__ import annotations

from playwright.sync_api import expect

from kamp.team.models import AccountTeamMember
from tests.browser.test_concurrent_edits import two_browsers  # noqa: F401  (the fixture)


def test_two_people_change_the_same_members_role(
    live_server,
    two_browsers,  # noqa: F811
    account,
    ana,
    member,
):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    url = f"{live_server.url}/customers/{account.pk}/people/"
    first, second = two_browsers(ana), two_browsers(member, "es")
    first.goto(url)
    second.goto(url)  # both rows open on the same version
    row1, row2 = first.locator(f"#member-{m.pk}"), second.locator(f"#member-{m.pk}")

    row1.locator('input[name="responsibility"]').fill("Billing and payment terms")
    row1.get_by_role("button", name="Save").click()
    expect(first.get_by_text(f"Role of {member} saved.")).to_be_visible()

    row2.locator('input[name="responsibility"]').fill("Logística de planta")
    row2.get_by_role("button", name="Guardar").click()
    conflict = second.locator(f"#member-{m.pk} section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Otra persona cambió esto desde que usted lo abrió")
    expect(conflict.locator("td.theirs").first).to_have_text("Billing and payment terms")
    expect(conflict.locator("td.yours").first).to_have_text("Logística de planta")
    field = second.locator(f'#member-{m.pk} input[name="responsibility"]')
    expect(field).to_have_value("Logística de planta")  # kept for her
    m.refresh_from_db()
    assert m.responsibility == "Billing and payment terms"
    second.screenshot(path="var/screenshots/team-member-conflict-es.png", full_page=True)

    # She keeps hers: saving again from the row shown carries the version now saved.
    second.locator(f"#member-{m.pk}").get_by_role("button", name="Guardar").click()
    expect(second.locator("section.conflict")).to_have_count(0)
    expect(second.get_by_text(f"Rol de {member} guardado.")).to_be_visible()
    m.refresh_from_db()
    assert m.responsibility == "Logística de planta"
