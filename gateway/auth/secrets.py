"""Password and client-secret hashing (Argon2id).

Hashing takes tens of milliseconds of CPU on purpose, so it runs in a worker thread: the event
loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import secrets

from anyio import to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps the timing alike, so response
# time does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("dixian-no-such-account")


async def hash_secret(secret: str) -> str:
    return await to_thread.run_sync(_hasher.hash, secret)


async def verify_secret(stored_hash: str | None, secret: str) -> bool:
    return await to_thread.run_sync(_verify, stored_hash, secret)


def _verify(stored_hash: str | None, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def generate_secret(length: int = 24) -> str:
    """A random password or client secret, URL-safe."""
    return secrets.token_urlsafe(length)
