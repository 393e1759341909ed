"""Access rows of single sign-on (kamp/sso): see docs/roles.md.

Both pages are public by nature: a person not yet logged in starts the sign-in and comes back
from the provider. The matrix runs with single sign-on not configured, where both send
everyone to the login page (302); tests/sso covers them configured, against a real provider."""

from tests.access_policies import NOT_ALLOWED, Api, Web

WEB = [
    Web("sso:start", get="PUBLIC", post=NOT_ALLOWED, ok_get=(302,)),
    Web("sso:callback", get="PUBLIC", post=NOT_ALLOWED, ok_get=(302,)),
]

API: list[Api] = []
