"""Verified tokens are remembered by their exact text until they expire, within a bound."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.common.auth.tokens import TokenVerifier
from services.common.errors import Unauthorized
from services.common.settings import CommonSettings
from tests.common.test_token_verification import claims, sign


class Clock:
    """The verifier's clock for remembered tokens, moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def verifier(clock: Clock, cache_size: int = 16) -> TokenVerifier:
    settings = CommonSettings()
    return TokenVerifier(
        settings.public_keys(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        cache_size=cache_size,
        clock=clock,
    )


def expiry_of(token_claims: dict[str, object]) -> float:
    return token_claims["exp"].timestamp()  # type: ignore[attr-defined]


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    clock = Clock()
    checker = verifier(clock)
    token_claims = claims(sub="user:cached")
    token = sign(token_claims)
    assert checker.verify(token).subject == "user:cached"
    assert checker.verify(token).subject == "user:cached"
    clock.now = expiry_of(token_claims) + checker.leeway + 1
    with pytest.raises(Unauthorized) as refused:
        checker.verify(token)
    assert refused.value.code == "token_expired"


def test_the_same_claims_under_another_signature_are_checked_again() -> None:
    checker = verifier(Clock())
    token_claims = claims(sub="user:cached")
    assert checker.verify(sign(token_claims)).subject == "user:cached"
    with pytest.raises(Unauthorized) as refused:
        checker.verify(sign(token_claims, key=Ed25519PrivateKey.generate()))
    assert refused.value.code == "token_invalid"


def test_the_least_recently_used_token_is_forgotten_past_the_bound() -> None:
    clock = Clock()
    checker = verifier(clock, cache_size=2)
    first_claims = claims(sub="user:first")
    first = sign(first_claims)
    checker.verify(first)
    checker.verify(sign(claims(sub="user:second")))
    checker.verify(sign(claims(sub="user:third")))
    # Remembered, `first` would now be refused by the moved clock; forgotten, it is verified
    # afresh (and the token library's own clock still finds it valid).
    clock.now = expiry_of(first_claims) + checker.leeway + 1
    assert checker.verify(first).subject == "user:first"
    with pytest.raises(Unauthorized) as refused:
        checker.verify(first)
    assert refused.value.code == "token_expired"
