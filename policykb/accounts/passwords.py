"""Passwords, hashed with Argon2id (argon2-cffi) with parameters written here rather than the library's defaults, so
that an upgrade of the library never changes them silently; a hash made with other parameters is made again at the
next sign-in (`verify` returns the new one)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from policykb.errors import BadQueryError

# RFC 9106's second recommended option (for memory-constrained servers): Argon2id, 3 passes over 64 MiB, 4 lanes,
# a 16-byte random salt and a 32-byte hash. A sign-in costs a few tens of milliseconds of one core, which is what a
# guessing attacker pays per guess too.
TIME_COST = 3
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 4
HASH_LEN = 32
SALT_LEN = 16
HASHER = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM, hash_len=HASH_LEN, salt_len=SALT_LEN
)
MIN_LENGTH = 10  # characters: NIST SP 800-63B asks for at least 8; a passphrase is better still
MAX_LENGTH = 1000  # longer is no safer; the web refuses longer text in any form field (limits.TEXT_CHARS)


def check_password_rules(password: str) -> None:
    """A BadQueryError saying what is wrong with a new password, if anything."""
    if len(password) < MIN_LENGTH:
        raise BadQueryError(f"the password is too short: use at least {MIN_LENGTH} characters (a few words will do)")
    if len(password) > MAX_LENGTH:
        raise BadQueryError(f"the password is too long: use at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """The Argon2id hash of a new password (checked against the rules first)."""
    check_password_rules(password)
    return HASHER.hash(password)


@functools.cache
def _stand_in_hash() -> str:
    return HASHER.hash("no account has this password")


def verify(password_hash: str | None, password: str) -> tuple[bool, str | None]:
    """(whether `password` matches, a new hash to store when the stored one was made with other parameters).

    Without a hash (no such user, or a disabled one) a stand-in is checked all the same, so that the time taken does
    not tell which names exist."""
    if len(password) > MAX_LENGTH:
        return False, None
    try:
        HASHER.verify(password_hash or _stand_in_hash(), password)
        if not password_hash:
            return False, None
    except (VerificationError, InvalidHashError):
        return False, None
    return True, HASHER.hash(password) if HASHER.check_needs_rehash(password_hash) else None
