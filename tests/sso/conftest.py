"""A real OpenID provider (tests/sso/oidc_server.py) for the single sign-on tests, once per
session, and kamp pointed at it."""

import pytest

from tests.sso import oidc_server

CALLBACK = "http://testserver/sso/callback/"
AFTER_LOGOUT = "http://testserver/login/"


@pytest.fixture(scope="session")
def oidc():
    provider = oidc_server.start([CALLBACK], [AFTER_LOGOUT])
    yield provider
    provider.stop()


@pytest.fixture
def sso(oidc, settings):
    """kamp with single sign-on on, towards the test provider; returns a function to change
    more settings (``sso(KAMP_OIDC_PROVISION_ROLE="viewer")``)."""
    oidc.configure(settings)

    def more(**extra):
        oidc.configure(settings, **extra)
        return oidc

    more.provider = oidc  # type: ignore[attr-defined]
    return more
