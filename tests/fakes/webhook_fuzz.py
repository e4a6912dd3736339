"""Hostile webhook bodies, built from the real payloads in tests/fixtures/webhooks.

Each `FuzzedWebhook` is a body a correctly authenticated sender could post, and says what
the ingress must answer (`statuses()`): never a 5xx. `fuzzed_webhooks(count, seed)` mixes

- field mutations: one value anywhere in a fixture (every path, nested ones and list items
  included) replaced by null, a wrong type, a huge or non-finite number, a lone surrogate,
  a NUL, a long string, invalid UTF-8 or deep nesting;
- body mutations: wrong top-level types, 5,000 levels of `[` or `{"a":`, truncation, random
  and flipped bytes, invalid UTF-8, UTF-16, empty bodies, duplicate keys, and real bodies
  sent under another event's name.

The same seed gives the same list. `every_field_replaced(raw)` walks every field of every
fixture exhaustively instead. Post them with `headers(secret)`, which signs the body.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codeprism.webhooks.signature import github_signature

FIXTURES = Path(__file__).parents[1] / "fixtures" / "webhooks"  # see fixtures/README.md
Provider = Literal["github", "gitlab"]
# "bad_json": the ingress cannot parse it (400); "invalid": JSON, but not the event (400);
# "any": a well-formed variation, so ping (200), acknowledged (202) or invalid (400)
Expect = Literal["bad_json", "invalid", "any"]
JsonPath = tuple[str | int, ...]

GITHUB_EVENTS = (
    "pull_request",
    "issue_comment",
    "ping",
    "push",
    "check_suite",
    "installation",
    "pull_request_review",
)
GITLAB_EVENTS = ("Merge Request Hook", "Note Hook", "Push Hook", "Pipeline Hook")
# header values a sender could choose: empty, wrong case, another provider's, overlong
ODD_EVENTS = ("", "PULL_REQUEST", "pull_request ", "Merge Request Hook", "pull_request", "x" * 300)

_NESTED = 5000  # far past the interpreter's recursion limit (1000)
# Replacement values as raw JSON text, spliced in so that the body holds exactly these bytes
# (json.dumps cannot write a 5,000-digit integer, NaN as a bare word, or invalid UTF-8).
FIELD_VALUES: dict[bytes, Expect] = {
    b"null": "any",
    b"true": "any",
    b"false": "any",
    b"0": "any",
    b"-1": "any",
    b"1.5": "any",
    b'""': "any",
    b'"x"': "any",
    b"[]": "any",
    b"[1]": "any",
    b"{}": "any",
    b'{"a": 1}': "any",
    b"1" + b"0" * 30: "any",  # 10**30: past 64 bits
    b"9223372036854775808": "any",  # 2**63
    b"9223372036854775807": "any",  # 2**63 - 1, the largest id that fits
    b"-9223372036854775809": "any",
    b"1e308": "any",
    b"1" * 4300: "any",  # just inside Python's int-from-text limit
    b"1" * 5000: "bad_json",  # past it: int() raises ValueError
    b"1e999": "bad_json",  # parses to inf
    b"-1e999": "bad_json",
    b"NaN": "bad_json",
    b"Infinity": "bad_json",
    b'"\\ud800"': "any",  # a lone surrogate: parses, but cannot be encoded as UTF-8
    b'"a\\udc80b"': "any",
    b'"\\ud83d\\ude00"': "any",  # a valid pair: one emoji
    b'"a\\u0000b"': "any",  # NUL inside a string
    b'"\\u202e/codeprism review"': "any",
    b'"/codeprism review"': "any",
    b'"../../etc/passwd"': "any",
    b'"' + b"0" * 40 + b'"': "any",  # a commit SHA of zeros
    b'"' + b"a" * 200_000 + b'"': "any",  # a long string
    b'"a\x00b"': "bad_json",  # a raw control character in a string is not JSON
    b'"\xff"': "bad_json",  # invalid UTF-8 inside a string
    b'"\xed\xa0\x80"': "bad_json",  # a surrogate encoded as UTF-8 bytes (CESU-8)
    b'"\xc0\xaf"': "bad_json",  # an overlong encoding of "/"
    b"[" * 8 + b"]" * 8: "any",
    b"[" * 200 + b"]" * 200: "bad_json",  # parses, but deeper than the ingress allows
    b"[" * _NESTED + b"]" * _NESTED: "bad_json",
    b'{"a":' * _NESTED + b"1" + b"}" * _NESTED: "bad_json",
}
WRONG_TOP_LEVEL = (b"[]", b"[1, 2]", b'"text"', b'"\\ud800"', b"3", b"-1.5", b"null", b"true")
BAD_UTF8 = (b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80")


@dataclass(frozen=True, slots=True)
class FuzzedWebhook:
    provider: Provider
    event: str  # the X-GitHub-Event / X-Gitlab-Event header value
    body: bytes
    kind: str  # "field", "mislabelled", or a body mutation: "deeply_nested", "truncated", ...
    mutation: str  # what was done to which fixture, for failure messages
    expect: Expect

    def statuses(self) -> frozenset[int]:
        """The HTTP statuses the ingress may answer with; never a 5xx."""
        return frozenset({200, 202, 400}) if self.expect == "any" else frozenset({400})

    def headers(self, secret: str, delivery: str | None = None) -> dict[str, str]:
        """Authenticated request headers: GitHub's HMAC of the body, or GitLab's token. Give
        each post its own `delivery` (or none): a repeated delivery id is answered 202
        "duplicate" whatever its body, as hosts redeliver."""
        if self.provider == "github":
            headers = {
                "X-GitHub-Event": self.event,
                "X-Hub-Signature-256": sign_github(secret.encode(), self.body),
            }
            if delivery is not None:
                headers["X-GitHub-Delivery"] = delivery
        else:
            headers = {"X-Gitlab-Event": self.event, "X-Gitlab-Token": secret}
            if delivery is not None:
                headers["X-Gitlab-Event-UUID"] = delivery
        return {**headers, "Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class Fixture:
    provider: Provider
    event: str
    name: str
    body: bytes  # as published (derived fixtures: as json.dumps writes them)
    payload: Any  # a fresh parse: callers may change it


def sign_github(secret: bytes, body: bytes) -> str:
    """The `X-Hub-Signature-256` header value for `body` (the core's own signer)."""
    return github_signature(secret, body)


def fixtures() -> list[Fixture]:
    """Every fixture file, plus two derived payloads that reach the review-command paths (a
    `/codeprism review` comment on a GitHub pull request and on a GitLab merge request)."""
    found = []
    for path in sorted((FIXTURES / "github").glob("*.json")):
        found.append(_fixture("github", path.name.split(".")[0], path.name, path.read_bytes()))
    for path in sorted((FIXTURES / "gitlab").glob("*.json")):
        found.append(_fixture("gitlab", "Merge Request Hook", path.name, path.read_bytes()))
    comment = json.loads((FIXTURES / "github" / "issue_comment.created.json").read_bytes())
    comment["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    comment["comment"]["body"] = "/codeprism review"
    found.append(_derived("github", "issue_comment", "issue_comment.command", comment))
    merge_request = json.loads((FIXTURES / "gitlab" / "merge_request.open.docs.json").read_bytes())
    note = {
        "object_kind": "note",
        "project": merge_request["project"],
        "object_attributes": {"note": "/codeprism review", "noteable_type": "MergeRequest"},
        "merge_request": {
            "iid": 1,
            "title": "MS-Viewport",
            "last_commit": copy.deepcopy(merge_request["object_attributes"]["last_commit"]),
        },
    }
    found.append(_derived("gitlab", "Note Hook", "note.command", note))
    return found


def paths(value: Any) -> list[JsonPath]:
    """Every path below the top level: object keys and list indices, depth first."""
    found: list[JsonPath] = []
    stack: list[tuple[JsonPath, Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        children = [(path + (key,), child) for key, child in items]
        found.extend(p for p, _ in children)
        stack.extend((p, c) for p, c in reversed(children) if isinstance(c, dict | list))
    return found


def each_field_set(payload: Any, values: Sequence[Any]) -> Iterator[JsonPath]:
    """Set each of `values` at each path of `payload` in turn, yielding the path while the
    value is in place; every field is restored before the next path."""
    for path in paths(payload):
        parent = _parent(payload, path)
        original = parent[path[-1]]
        try:
            for value in values:
                parent[path[-1]] = value
                yield path
        finally:
            parent[path[-1]] = original


def with_value(payload: Any, path: JsonPath, raw: bytes) -> bytes:
    """`payload` as JSON with the value at `path` replaced by the raw bytes `raw`.
    `payload` is changed for the duration of the call only."""
    parent = _parent(payload, path)
    old = parent[path[-1]]
    parent[path[-1]] = _SPLICE
    try:
        text = json.dumps(payload).encode()
    finally:
        parent[path[-1]] = old
    return text.replace(_SPLICE_JSON, raw, 1)


def every_field_replaced(raw: bytes = b"null") -> Iterator[FuzzedWebhook]:
    """Each fixture with each of its fields in turn replaced by `raw` (a JSON value)."""
    expect = FIELD_VALUES.get(raw, "any")
    for fixture in fixtures():
        for path in paths(fixture.payload):
            body = with_value(fixture.payload, path, raw)
            what = f"{_short(raw)} at {_dotted(path)} of {fixture.name}"
            yield FuzzedWebhook(fixture.provider, fixture.event, body, "field", what, expect)


def fuzzed_webhooks(count: int, seed: int) -> list[FuzzedWebhook]:
    """`count` hostile deliveries; the same list for the same seed (and fixture files)."""
    rng = random.Random(seed)
    known = fixtures()
    field_paths = [paths(f.payload) for f in known]
    values = sorted(FIELD_VALUES)
    hooks = []
    for _ in range(count):
        index = rng.randrange(len(known))
        fixture = known[index]
        if rng.random() < 0.55:
            path = rng.choice(field_paths[index])
            raw = rng.choice(values)
            body = with_value(fixture.payload, path, raw)
            what = f"{_short(raw)} at {_dotted(path)} of {fixture.name}"
            expect = FIELD_VALUES[raw]
            hook = FuzzedWebhook(fixture.provider, fixture.event, body, "field", what, expect)
        else:
            mutate = rng.choice(_BODY_MUTATIONS)
            hook = mutate(rng, fixture)
        hooks.append(hook)
    return hooks


# -- body mutations: each returns a delivery derived from one fixture --------------------------


def _wrong_top_level(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    body = rng.choice([*WRONG_TOP_LEVEL, b"[" + f.body + b"]"])
    return _hook("wrong_top_level", f, body, f"top level: {_short(body)}", "invalid")


def _deeply_nested(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    closed = rng.random() < 0.5
    if rng.random() < 0.5:
        body = b"[" * _NESTED + (b"]" * _NESTED if closed else b"")
    else:
        body = b'{"a":' * _NESTED + (b"1" + b"}" * _NESTED if closed else b"")
    return _hook("deeply_nested", f, body, f"nested {_NESTED} deep: {_short(body)}", "bad_json")


def _truncated(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    # every strict prefix of an object's text is incomplete (the trailing newline aside)
    whole = f.body.rstrip()
    cut = rng.randrange(len(whole))
    return _hook("truncated", f, whole[:cut], f"truncated at {cut}", "bad_json")


def _random_bytes(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    body = rng.randbytes(rng.randrange(1025))
    return _hook("random_bytes", f, body, f"{len(body)} random bytes", "any")


def _flipped_bytes(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    body = bytearray(f.body)
    spots = [rng.randrange(len(body)) for _ in range(rng.randint(1, 8))]
    for spot in spots:
        body[spot] = rng.randrange(256)
    return _hook("flipped_bytes", f, bytes(body), f"bytes changed at {spots}", "any")


def _bad_utf8(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    bad = rng.choice(BAD_UTF8)
    spot = rng.randrange(len(f.body) + 1)
    body = f.body[:spot] + bad + f.body[spot:]
    return _hook("bad_utf8", f, body, f"invalid UTF-8 {bad!r} at {spot}", "bad_json")


def _encoded(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    text = f.body.decode()
    choice = rng.randrange(4)
    if choice == 0:  # a BOM before UTF-8 is tolerated: the payload itself is intact
        return _hook("encoded", f, b"\xef\xbb\xbf" + f.body, "UTF-8 with a BOM", "any")
    encoding = ("utf-16", "utf-16-le", "utf-32")[choice - 1]
    return _hook("encoded", f, text.encode(encoding), f"encoded as {encoding}", "bad_json")


def _empty(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    body = rng.choice([b"", b" ", b"\n\t ", b"\x00"])
    return _hook("empty", f, body, f"empty: {body!r}", "bad_json")


def _bad_top_number(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    body = rng.choice([b"1" * 5000, b"1e999", b"-Infinity", b"NaN", b"[1e400]"])
    return _hook("bad_top_number", f, body, f"top-level number: {_short(body)}", "bad_json")


def _duplicate_key(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    # JSON objects may repeat a key; Python keeps the last one
    key = rng.choice(list(f.payload)) if f.payload else "action"
    raw = rng.choice(sorted(v for v, e in FIELD_VALUES.items() if e == "any"))
    body = f.body.rstrip()[:-1] + b", " + json.dumps(key).encode() + b": " + raw + b"}"
    return _hook("duplicate_key", f, body, f"duplicate key {key!r} = {_short(raw)}", "any")


def _mislabelled(rng: random.Random, f: Fixture) -> FuzzedWebhook:
    # a real body under another event's name, or sent to the other provider's endpoint
    provider: Provider = rng.choice(["github", "gitlab"])
    names = GITHUB_EVENTS if provider == "github" else GITLAB_EVENTS
    event = rng.choice([*names, *ODD_EVENTS])
    what = f"{f.name} sent to {provider} as {event[:40]!r}"
    expect: Expect = "invalid" if not event else "any"
    return FuzzedWebhook(provider, event, f.body, "mislabelled", what, expect)


_BODY_MUTATIONS: tuple[Callable[[random.Random, Fixture], FuzzedWebhook], ...] = (
    _wrong_top_level,
    _deeply_nested,
    _truncated,
    _random_bytes,
    _flipped_bytes,
    _bad_utf8,
    _encoded,
    _empty,
    _bad_top_number,
    _duplicate_key,
    _mislabelled,
)
_SPLICE = "\x00codeprism fuzz splice\x00"  # no fixture holds this string
_SPLICE_JSON = json.dumps(_SPLICE).encode()


def _fixture(provider: Provider, event: str, name: str, body: bytes) -> Fixture:
    return Fixture(provider, event, name, body, json.loads(body))


def _derived(provider: Provider, event: str, name: str, payload: Any) -> Fixture:
    return _fixture(provider, event, name, json.dumps(payload).encode())


def _hook(kind: str, f: Fixture, body: bytes, what: str, expect: Expect) -> FuzzedWebhook:
    return FuzzedWebhook(f.provider, f.event, body, kind, f"{what} ({f.name})", expect)


def _parent(payload: Any, path: JsonPath) -> Any:
    for key in path[:-1]:
        payload = payload[key]
    return payload


def _dotted(path: JsonPath) -> str:
    return ".".join(str(key) for key in path)


def _short(raw: bytes) -> str:
    return repr(raw[:24]) + (f"...({len(raw)} bytes)" if len(raw) > 24 else "")
