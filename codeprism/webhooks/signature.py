"""Is a webhook request really from the Git host? Checked before anything reads the body.

GitHub signs the raw body with HMAC-SHA256 and sends `X-Hub-Signature-256: sha256=<hex>`.
Only that header counts: the legacy `X-Hub-Signature` (HMAC-SHA1) is never accepted, so a
caller that only has SHA-1 cannot get in by downgrading. GitLab sends the configured secret
itself in `X-Gitlab-Token`. Bitbucket Cloud signs like GitHub, but in `X-Hub-Signature`
(`sha256=<hex>`, HMAC-SHA256 of the raw body) when the webhook has a secret. Every comparison
is constant-time, so response timing tells an attacker nothing about how much of a guess was
right. An empty configured secret verifies nothing: a deployment without a secret must refuse
every request, not accept every one.
"""

from __future__ import annotations

import hashlib
import hmac

_PREFIX = "sha256="
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DIGEST_HEX_LEN = 2 * hashlib.sha256().digest_size


def github_signature(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body` signed with `secret`."""
    return _PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_github(secret: bytes, body: bytes, header: str | None) -> bool:
    """True only when `header` is a well-formed `sha256=<64 hex>` whose digest matches.

    Never raises: a missing, mis-prefixed, non-hex or wrong-length header is just False."""
    if not secret or not isinstance(header, str) or not header.startswith(_PREFIX):
        return False
    given_hex = header[len(_PREFIX) :]
    if len(given_hex) != _DIGEST_HEX_LEN or not _HEX_DIGITS.issuperset(given_hex):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).digest()
    return hmac.compare_digest(bytes.fromhex(given_hex), expected)


def bitbucket_signature(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature` value Bitbucket Cloud sends for `body` signed with `secret`."""
    return github_signature(secret, body)


def verify_bitbucket(secret: bytes, body: bytes, header: str | None) -> bool:
    """True only when the `X-Hub-Signature` header is `sha256=<64 hex>` and matches (the
    same check as GitHub's: constant-time, never raises, an empty secret verifies nothing)."""
    return verify_github(secret, body, header)


def verify_gitlab(secret: str, token: str | None) -> bool:
    """True when the `X-Gitlab-Token` header equals the configured secret.

    Both sides are hashed first, so the compared byte strings always have the same length
    and the time taken does not reveal the secret's length either. Never raises."""
    if not secret or not isinstance(token, str):
        return False
    return hmac.compare_digest(_sha256(secret), _sha256(token))


def _sha256(text: str) -> bytes:
    # surrogatepass: a header decoded with odd code points must not make encoding raise
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
