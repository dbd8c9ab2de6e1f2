"""Sign-in with an address the identity provider has not verified (privacyops.cases.access): the claim as
providers send it, and when a sign-in is refused (issue 11, item 11)."""

from __future__ import annotations

import pytest

from privacyops.cases import access

DPO = "dpo@example.com"


@pytest.mark.parametrize(("claim", "said"), [
    (True, True), (False, False), ("true", True), ("True", True), ("false", False), (" FALSE ", False),
    ("yes", False), (1, False), (None, None),
])
def test_what_the_claim_says(claim, said):
    claims = {"email": DPO} if claim is None else {"email": DPO, "email_verified": claim}
    assert access.email_verified(claims) is said


@pytest.mark.parametrize("require", [True, False])
def test_a_verified_address_is_never_refused(require):
    assert access.unverified_email_refusal({"email": DPO, "email_verified": True}, require_claim=require) is None


@pytest.mark.parametrize("require", [True, False])
def test_an_address_the_provider_says_is_unverified_is_always_refused(require):
    refusal = access.unverified_email_refusal({"email": DPO, "email_verified": False}, require_claim=require)
    assert refusal is not None and f"the email address {DPO} is not verified" in refusal
    assert "sign in again" in refusal


def test_no_claim_is_refused_unless_the_setting_allows_it():
    refusal = access.unverified_email_refusal({"email": DPO})
    assert refusal is not None and "did not say whether" in refusal and "require_email_verified = false" in refusal
    assert access.unverified_email_refusal({"email": DPO}, require_claim=False) is None
