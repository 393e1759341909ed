"""Whether ``kamp demo`` may load its data into the current database.

The demo creates nine accounts with a published password (one of them a superuser), renames the
company, sets its base currency and adds 42 customers: in a real database that is a break-in
and a mess. So the demo loads only into a database that is *the demo's*:

- every user is one of the demo's people (matched by e-mail, ``demo.PEOPLE``);
- every customer is one of the demo's customers (matched by tax id; the customers part of the
  demo says which rows of its area are foreign: ``DemoPart.foreign``);
- the company settings are absent, untouched (the default name "kamp", the default size and no
  base currency or ``KAMP_BASE_CURRENCY``) or the demo's own (SAF Asesorías, SME, CLP).

An empty database (just migrated) is the demo's. Users and customers are what every other row
hangs from, so a database that passes these checks holds nothing a person entered.
"""

from __future__ import annotations

from django.conf import settings

from kamp.core import demo
from kamp.core.models import CompanySize, SiteSettings, User

# How many e-mails or names a finding quotes before "…": enough to recognise the data.
SHOWN = 3


def _quoted(values: list[str], total: int) -> str:
    text = ", ".join(values[:SHOWN])
    return text + (", …" if total > SHOWN else "")


def demo_emails() -> set[str]:
    return {email for _key, email, *_rest in demo.PEOPLE}


def _settings_are_the_demos(site: SiteSettings) -> bool:
    default_name = SiteSettings._meta.get_field("company_name").default
    untouched = (
        site.company_name == default_name
        and site.size_class == CompanySize.SME
        and site.base_currency in ("", settings.KAMP_BASE_CURRENCY)
    )
    demos = (site.company_name, site.size_class, site.base_currency) == (
        demo.DEMO_COMPANY,
        CompanySize.SME,
        "CLP",
    )
    return untouched or demos


def foreign_data() -> list[str]:
    """What the database holds that is not the demo's, one sentence per kind (empty: the
    database is the demo's, the demo may load)."""
    found: list[str] = []
    users = User.objects.exclude(email__in=demo_emails())
    count = users.count()
    if count:
        emails = list(users.order_by("email").values_list("email", flat=True)[:SHOWN])
        noun = "user that is" if count == 1 else "users that are"
        found.append(f"{count} {noun} not the demo's: {_quoted(emails, count)}")
    for p in demo.parts():
        if p.foreign is not None:
            found.extend(p.foreign())
    for site in SiteSettings.objects.all():
        if not _settings_are_the_demos(site):
            found.append(
                f"company settings for “{site.company_name}” "
                f"(base currency {site.base_currency or '—'})"
            )
    return found


def summary() -> str:
    """What an erase would remove, in a few words (for the ``--reset`` question)."""
    counts = [f"{User.objects.count()} user(s)"]
    counts += [p.inventory() for p in demo.parts() if p.inventory is not None]
    return " and ".join(counts)
