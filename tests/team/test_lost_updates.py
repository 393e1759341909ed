"""Two people changing one team member's role on the account: the second save is told, sees both
versions in the member's row and chooses — never a silent overwrite."""

from __future__ import annotations

import re

from django.urls import reverse

from kamp.team import actions
from kamp.team.models import AccountTeamMember


def _post(client, account, m, version, **values):
    data = {"role": "member", "responsibility": "", "version": version, **values}
    return client.post(reverse("team:member_update", args=[account.pk, m.pk]), data)


def test_the_row_carries_the_members_version(client_for, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    html = client_for(ana).get(reverse("team:panel", args=[account.pk])).content.decode()
    form = html[html.index(reverse("team:member_update", args=[account.pk, m.pk])) :]
    assert re.match(rf'.*?name="version" value="{m.version}"', form, re.S)


def test_second_role_save_is_told_and_then_chooses(client_for, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    read = m.version
    assert _post(client_for(ana), account, m, read, responsibility="Billing").status_code == 302
    r = _post(client_for(member), account, m, read, role="sponsor", responsibility="Site logistics")
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    assert re.search(r'class="theirs">Billing<', text)
    assert re.search(r'class="yours">Site logistics<', text)
    m.refresh_from_db()
    assert (m.role, m.responsibility) == ("member", "Billing")  # nothing of the second saved

    # The row shows what he typed with the version now saved: saving again keeps his.
    assert re.search(rf'name="version" value="{m.version}"', text)
    assert 'value="Site logistics"' in text
    assert re.search(r'<option value="sponsor" selected>', text)
    again = _post(
        client_for(member), account, m, m.version, role="sponsor", responsibility="Site logistics"
    )
    assert again.status_code == 302
    m.refresh_from_db()
    assert (m.role, m.responsibility) == ("sponsor", "Site logistics")


def test_conflict_in_the_panel_for_htmx(client_for, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    read = m.version
    actions.do_update_team_member(ana, m, version=read, responsibility="Billing")
    r = client_for(member).post(
        reverse("team:member_update", args=[account.pk, m.pk]),
        {"role": "member", "responsibility": "Payments", "version": read},
        HTTP_HX_REQUEST="true",
    )
    text = r.content.decode()
    assert 'id="account-team"' in text
    assert re.search(r'class="theirs">Billing<', text)
    assert re.search(r'class="yours">Payments<', text)
    assert f'href="{reverse("customers:people", args=[account.pk])}"' in text
    m.refresh_from_db()
    assert m.responsibility == "Billing"


def test_a_change_made_elsewhere_meanwhile_is_not_reverted(client_for, account, ana, member):
    """A write without a version (the admin, an import) still moves the version on."""
    m = AccountTeamMember.objects.get(customer=account, user=member)
    read = m.version
    actions.do_update_team_member(None, m, role="sponsor")
    assert _post(client_for(ana), account, m, read, responsibility="x").status_code == 409
    m.refresh_from_db()
    assert (m.role, m.responsibility) == ("sponsor", "")


def test_a_role_form_without_its_version_is_refused(client_for, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    r = client_for(ana).post(
        reverse("team:member_update", args=[account.pk, m.pk]),
        {"role": "sponsor", "responsibility": "Opens doors"},
    )
    assert r.status_code == 400
    assert "This form is out of date" in r.content.decode()
    m.refresh_from_db()
    assert m.role == "member"
