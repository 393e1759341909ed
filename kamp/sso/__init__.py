"""Single sign-on: OpenID Connect login (mozilla-django-oidc), matched on verified e-mail, with
optional provisioning and a role from a claim; password login can be reserved to break-glass
administrators. Configured from the environment (KAMP_OIDC_*, docs/connections.md)."""
