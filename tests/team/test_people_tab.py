"""The one line the People tab includes renders the team loader for its customer."""

import pytest
from django.template import Context, Template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_people_tab_include(account):
    html = Template('{% include "team/_people_team.html" %}').render(Context({"customer": account}))
    assert reverse("team:panel", args=[account.pk]) in html
    assert reverse("team:customer", args=[account.pk]) in html
