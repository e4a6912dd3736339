"""Git URL parsing: tell URLs from paths, remove credentials, derive stable keys.

Everything a URL is turned into here (stored location, repo id, cache key, error text) is
credential-free: a token pasted into a URL must never reach the warehouse or a log.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import SplitResult, urlsplit, urlunsplit

_URL_SCHEMES = ("https", "http", "git", "ssh", "git+ssh", "ssh+git", "file")
_SCHEME_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
# scp-like syntax `user@host:path`; the user part is required so that a local path with a
# colon in it is never mistaken for a remote.
_SCP_URL = re.compile(r"^(?P<user>[A-Za-z0-9._~-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>(?!//).+)$")
_DEFAULT_PORTS = {"https": 443, "http": 80, "ssh": 22, "git": 9418}
# userinfo inside any URL found in free text (git's stderr, exception messages)
_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@")


def is_git_url(target: str) -> bool:
    match = _SCHEME_URL.match(target)
    if match:
        return match.group("scheme").lower() in _URL_SCHEMES
    return _SCP_URL.match(target) is not None


def _split(url: str) -> SplitResult:
    scp = _SCP_URL.match(url)
    if scp:
        # scp paths are relative to the login directory; git hosts treat both forms alike
        path = "/" + scp.group("path").lstrip("/")
        return SplitResult("ssh", f"{scp.group('user')}@{scp.group('host')}", path, "", "")
    return urlsplit(url)


def _host_port(parts: SplitResult) -> str:
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def strip_credentials(url: str) -> str:
    """The URL as git should use it, without secrets.

    http(s) loses its whole userinfo (GitHub accepts a token as the user name); ssh keeps the
    login name, which selects the account and is no secret, but loses any password.
    """
    if _SCP_URL.match(url):
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    scheme = parts.scheme.lower()
    netloc = _host_port(parts)
    if scheme in ("ssh", "git+ssh", "ssh+git") and parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def has_credentials(url: str) -> bool:
    return strip_credentials(url) != url


def normalise_url(url: str) -> str:
    """A stable, credential-free identity of a remote.

    `https://Host/a/b.git/` and `https://host/a/b` are the same remote, as are
    `git@host:a/b.git` and `ssh://git@host/a/b`; the login name is not part of the identity.
    """
    parts = _split(url)
    scheme = parts.scheme.lower()
    if scheme in ("git+ssh", "ssh+git"):
        scheme = "ssh"
    path = parts.path.rstrip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    return urlunsplit((scheme, _host_port(parts), path, "", ""))


def repo_name_from_url(url: str) -> str:
    path = _split(url).path.rstrip("/")
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".git"):
        name = name[: -len(".git")]
    return name or normalise_url(url)


def url_key(url: str) -> str:
    """Directory name of a remote's cache entry: same remote, same entry."""
    return hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()[:32]


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove URL userinfo and the given secret values from free text."""
    text = _USERINFO_IN_TEXT.sub(r"\g<scheme>", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
