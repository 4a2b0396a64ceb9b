"""Password hashing with Argon2id (argon2-cffi's defaults: RFC 9106's low-memory profile).

Never hand-rolled: a hash records its own parameters and salt, verification is constant-time, and
`needs_rehash` lets a stronger default apply at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
_DUMMY = _HASHER.hash("not a password: evens out the time of an unknown user name")
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; an unknown user is checked against a dummy hash so a
    wrong name takes as long as a wrong password."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
