"""What kamp reads from a provider's claims (kamp.sso.claims, no Django): the verified e-mail
and the role the claim maps to."""

import pytest

from kamp.sso.claims import (
    Refused,
    display_name,
    parse_role_map,
    role_from_claims,
    verified_email,
)


def reason(fn, *args) -> str:
    with pytest.raises(Refused) as caught:
        fn(*args)
    return caught.value.reason


def test_a_verified_email_is_read_lower_case():
    assert verified_email({"email": " Ana@Supplier.TEST ", "email_verified": True}) == (
        "ana@supplier.test"
    )
    # Some providers send the boolean as text.
    assert verified_email({"email": "a@b.test", "email_verified": "true"}) == "a@b.test"


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "ana@supplier.test", "email_verified": False},
        {"email": "ana@supplier.test"},
        {"email": "ana@supplier.test", "email_verified": "false"},
        {"email": "ana@supplier.test", "email_verified": 1},
        {"email": "ana@supplier.test", "email_verified": None},
    ],
)
def test_an_email_the_provider_has_not_verified_is_refused(claims):
    assert reason(verified_email, claims) == "unverified"


@pytest.mark.parametrize("email", [None, "", "not-an-address", 42, ["a@b.test"], "a@" + "b" * 260])
def test_no_usable_email_is_refused(email):
    assert reason(verified_email, {"email": email, "email_verified": True}) == "no_email"


def test_another_verification_claim_can_be_named():
    # Entra ID says so with xms_edov (the e-mail's domain is verified by its owner).
    claims = {"email": "ana@supplier.test", "xms_edov": True, "email_verified": False}
    assert verified_email(claims, "xms_edov") == "ana@supplier.test"
    assert reason(verified_email, {"email": "ana@supplier.test"}, "xms_edov") == "unverified"


def test_role_map_parses_pairs_and_refuses_unknown_roles():
    assert parse_role_map("kamp-admins=admin, kamp-kams = KAM;Sales=member") == {
        "kamp-admins": "admin",
        "kamp-kams": "kam",
        "Sales": "member",
    }
    assert parse_role_map("") == {}
    with pytest.raises(ValueError, match="superuser"):
        parse_role_map("x=superuser")
    with pytest.raises(ValueError, match="value=role"):
        parse_role_map("admin")


def test_the_highest_mapped_role_wins():
    mapping = parse_role_map("staff=viewer,kamp-directors=director,kamp-kams=kam")
    claims = {"groups": ["staff", "kamp-kams", "kamp-directors", "unrelated"]}
    assert role_from_claims(claims, "groups", mapping) == "director"
    assert role_from_claims({"groups": "staff"}, "groups", mapping) == "viewer"
    # A space- or comma-separated string is a list too.
    assert role_from_claims({"groups": "staff kamp-kams"}, "groups", mapping) == "kam"


def test_a_nested_claim_is_found_by_its_dotted_path():
    claims = {"realm_access": {"roles": ["offline_access", "kamp-admins"]}}
    assert role_from_claims(claims, "realm_access.roles", {"kamp-admins": "admin"}) == "admin"
    # A claim whose own name has a dot (namespaced claims) is read as it is.
    assert role_from_claims({"https://kamp/role": "kam"}, "https://kamp/role", {}) == "kam"


def test_without_a_map_role_names_are_read_as_themselves():
    assert role_from_claims({"role": "Director"}, "role", {}) == "director"
    assert role_from_claims({"role": ["member", "kam"]}, "role", {}) == "kam"
    # With a map, only mapped values count: a bare "admin" group is not kamp's admin.
    assert reason(role_from_claims, {"role": "admin"}, "role", {"kamp-admins": "admin"}) == (
        "no_role"
    )


@pytest.mark.parametrize("claims", [{}, {"role": None}, {"role": []}, {"role": {"a": 1}}])
def test_a_claim_that_gives_no_role_refuses(claims):
    assert reason(role_from_claims, claims, "role", {}) == "no_role"


def test_display_name():
    assert display_name({"name": " Ana KAM "}) == "Ana KAM"
    assert display_name({"given_name": "Ana", "family_name": "Pérez"}) == "Ana Pérez"
    assert display_name({}) == ""
