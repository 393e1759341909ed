"""What kamp reads from an OpenID provider's claims: the verified e-mail and the role.

Pure: claims in (a dict, as the ID token and the userinfo answer give them), answer out; no
Django. A claim that does not allow a login raises :class:`Refused` with a reason code the
callback page explains in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# kamp's roles from least to most: a person whose claim maps to several gets the highest.
ROLES = ("viewer", "member", "kam", "director", "admin")


class Refused(Exception):
    """A sign-in kamp does not accept. ``reason``: a code of ``kamp.sso.views.REASONS``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason if not detail else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def parse_role_map(text: str) -> dict[str, str]:
    """``"kamp-admins=admin, kamp-kams=kam"`` → ``{"kamp-admins": "admin", "kamp-kams": "kam"}``.

    Without a map (empty text) a claim value that is a role's own name (``kam``) is that role.
    A pair naming no role of kamp is a configuration error (``ValueError``, said at start)."""
    mapping: dict[str, str] = {}
    for pair in text.replace(";", ",").split(","):
        if not pair.strip():
            continue
        value, sep, role = pair.rpartition("=")
        value, role = value.strip(), role.strip().lower()
        if not sep or not value:
            raise ValueError(f"KAMP_OIDC_ROLE_MAP: “{pair.strip()}” is not value=role")
        if role not in ROLES:
            raise ValueError(
                f"KAMP_OIDC_ROLE_MAP: “{role}” is not a role of kamp ({', '.join(ROLES)})"
            )
        mapping[value] = role
    return mapping


def claim_value(claims: Mapping[str, Any], path: str) -> Any:
    """The claim at ``path``: a plain name (``roles``) or a dotted path into nested objects
    (Keycloak's ``realm_access.roles``). A claim whose name itself has dots is found first."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _values(value: Any) -> Iterable[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # A space- or comma-separated list in one string (some providers send groups so).
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return [str(v) for v in value if isinstance(v, (str, int))]
    return [str(value)]


def role_from_claims(claims: Mapping[str, Any], claim: str, mapping: Mapping[str, str]) -> str:
    """The kamp role the ``claim`` gives: the highest role among its mapped values. Raises
    ``Refused("no_role")`` when the claim is missing or none of its values maps to a role: the
    provider is then the authority on roles, and a person it gives none does not get in."""
    ranked = []
    for value in _values(claim_value(claims, claim)):
        role = mapping.get(value) if mapping else None
        if role is None and not mapping and value.strip().lower() in ROLES:
            role = value.strip().lower()
        if role in ROLES:
            ranked.append(ROLES.index(role))
    if not ranked:
        return _refuse("no_role")
    return ROLES[max(ranked)]


def _is_true(value: Any) -> bool:
    # Some providers send the boolean as a string.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(claims: Mapping[str, Any], verified_claim: str = "email_verified") -> str:
    """The claims' e-mail, lower-cased, when the provider says it has verified it. Raises
    ``Refused("no_email")`` without one and ``Refused("unverified")`` unless ``verified_claim``
    is true (``email_verified``; Entra ID's ``xms_edov``)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email.strip() or len(email) > 254:
        return _refuse("no_email")
    if not _is_true(claim_value(claims, verified_claim)):
        return _refuse("unverified")
    return email.strip().lower()


def display_name(claims: Mapping[str, Any]) -> str:
    """The person's name for a provisioned account (``name``, else given and family names)."""
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return name.strip()[:200]


def _refuse(reason: str) -> Any:
    raise Refused(reason)
