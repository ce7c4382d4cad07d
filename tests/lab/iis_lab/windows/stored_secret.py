"""How the model holds a secret (a password, a secure metabase value): as its text while the lab
that was given it runs, or, once a lab resumes from its ``state.json``, as a
:class:`StoredSecret`, known only by the salted digest that file recorded.

A digest is ``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``: :func:`secret_matches` tells
whether a candidate is the secret without the secret ever being written down. Every comparison
of secrets in the model goes through :func:`same_secret`, whichever form each side has.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import secrets
import typing as t

_DIGEST_SCHEME = "pbkdf2_sha256"
# Enough to make the digest of a random password useless, few enough to keep lab start fast.
_DIGEST_ITERATIONS = 20_000


def secret_digest(secret: str, *, iterations: int = _DIGEST_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 digest of ``secret``, in ``scheme$iterations$salt$hash`` form."""
    salt = secrets.token_bytes(16)
    derived = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)
    return f"{_DIGEST_SCHEME}${iterations}${salt.hex()}${derived.hex()}"


def secret_matches(digest: str, candidate: str) -> bool:
    """Whether ``candidate`` is the secret ``digest`` was made from."""
    try:
        scheme, iterations, salt, expected = digest.split("$")
        derived = hashlib.pbkdf2_hmac("sha256", candidate.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return scheme == _DIGEST_SCHEME and hmac.compare_digest(derived.hex(), expected)


@dataclasses.dataclass(frozen=True)
class StoredSecret:
    """A secret a resumed lab knows only by its digest. Two stored secrets are equal when their
    digests are: one lab gives one secret one digest (:class:`iis_lab.state.SecretDigests`).
    Neither ``repr`` nor ``str`` shows the digest."""

    digest: str = dataclasses.field(repr=False)

    def matches(self, candidate: Secret) -> bool:
        """Whether ``candidate``, as text or stored, is this secret."""
        if isinstance(candidate, StoredSecret):
            return hmac.compare_digest(self.digest, candidate.digest)
        return _text_matches(self.digest, candidate)


Secret = t.Union[str, StoredSecret]
"""A secret as the model holds it."""


def same_secret(held: Secret | None, candidate: Secret | None) -> bool:
    """Whether two secrets are the same, compared as Windows compares passwords (ordinal, case
    sensitive); no secret (None) matches nothing."""
    if held is None or candidate is None:
        return False
    if isinstance(held, StoredSecret):
        return held.matches(candidate)
    if isinstance(candidate, StoredSecret):
        return candidate.matches(held)
    return hmac.compare_digest(held.encode("utf-8"), candidate.encode("utf-8"))


# The lab compares the same pairs again and again (every save recomputes each host's logons),
# and each PBKDF2 check costs milliseconds. The texts stay in memory, where the model keeps
# them anyway.
@functools.lru_cache(maxsize=1024)
def _text_matches(digest: str, candidate: str) -> bool:
    return secret_matches(digest, candidate)
