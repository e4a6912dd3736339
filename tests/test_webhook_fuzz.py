"""Hostile but authenticated webhook bodies: each one is a 4xx or an acknowledgement, never a
crash. No Ray: the ingress's own steps run here in order (`parse_json_body`, which
`Ingress._json` calls, then the classifier, then `Inbox.accept` on a temporary inbox), and
the outcome is mapped to the status the ingress answers. The bodies come from
tests/fakes/webhook_fuzz.py, built from the real payloads in tests/fixtures/webhooks.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from codeprism.webhooks._fields import MAX_INT
from codeprism.webhooks.events import (
    MAX_NAME,
    MAX_TITLE,
    Decision,
    ReviewTarget,
    TriggerOptions,
    classify_github,
    classify_gitlab,
    is_repo_name,
)
from codeprism.webhooks.inbox import Inbox
from codeprism.webhooks.payload import MAX_DEPTH, parse_json_body
from codeprism.webhooks.signature import verify_github
from serve_apps.review import _api_decision
from tests.fakes.webhook_fuzz import (
    FuzzedWebhook,
    each_field_set,
    fixtures,
    fuzzed_webhooks,
    sign_github,
    with_value,
)

SEED = 20250611
COUNT = 2500
SECRET = b"fuzzing secret"
TRIGGERS = TriggerOptions()
HEX_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
CLASSIFY: dict[str, Callable[[str, object, TriggerOptions], Decision]] = {
    "github": classify_github,
    "gitlab": classify_gitlab,
}
BODY_MUTATIONS = {
    "wrong_top_level",
    "deeply_nested",
    "truncated",
    "random_bytes",
    "flipped_bytes",
    "bad_utf8",
    "encoded",
    "empty",
    "bad_top_number",
    "duplicate_key",
}


@pytest.fixture(scope="module")
def hooks() -> list[FuzzedWebhook]:
    return fuzzed_webhooks(COUNT, SEED)


def check_decision(decision: Decision, provider: str) -> None:
    """What the ingress answers and the inbox stores must survive serialisation."""
    assert decision.kind in {"review", "ignore", "ping", "invalid"}
    assert 0 < len(decision.reason) <= 200, decision.reason
    # the ingress's JSONResponse: UTF-8, no NaN
    json.dumps({"reason": decision.reason}, ensure_ascii=False, allow_nan=False).encode()
    target = decision.target
    if target is None:
        return
    assert target.provider == provider
    if provider != "api":
        assert is_repo_name(provider, target.repo), target.repo
        assert target.pr_number is not None
    for number in (target.pr_number, target.installation_id, target.project_id):
        assert number is None or 1 <= number <= MAX_INT
    for sha in (target.head_sha, target.base_sha):
        assert sha is None or HEX_SHA.fullmatch(sha)
    assert len(target.title) <= MAX_TITLE
    stored = target.model_dump_json()  # what the inbox writes
    stored.encode("utf-8")
    assert ReviewTarget.model_validate_json(stored) == target  # what a claim reads back


def ingest(inbox: Inbox, hook: FuzzedWebhook, delivery: str) -> tuple[int, str]:
    """The ingress after its signature check: (HTTP status, inbox outcome)."""
    parsed, payload = parse_json_body(hook.body)
    if not parsed:
        assert isinstance(payload, str) and 0 < len(payload) <= 120, payload
        inbox.reject(hook.provider, hook.event or "unknown", "bad_json")
        return 400, "bad_json"
    decision = CLASSIFY[hook.provider](hook.event, payload, TRIGGERS)
    check_decision(decision, hook.provider)
    accepted = inbox.accept(hook.provider, delivery, hook.event or "unknown", decision)
    status = {"ping": 200, "invalid": 400}.get(decision.kind, 202)
    # the same body posted to the review API: a decision too, never an exception
    check_api(payload)
    return status, accepted.outcome


def check_api(payload: Any) -> Decision:
    decision = _api_decision(payload)
    assert decision.kind in {"review", "invalid"}
    if decision.target is not None:
        check_decision(decision, decision.target.provider)
        if decision.target.provider == "api":  # the handler stores the diff's bytes
            payload["diff"].encode("utf-8", "surrogateescape")
    return decision


# --- the fuzzer itself ------------------------------------------------------------------------


def test_fuzzer_is_deterministic_and_mixes_every_mutation(hooks: list[FuzzedWebhook]) -> None:
    assert fuzzed_webhooks(300, 7) == fuzzed_webhooks(300, 7)
    assert fuzzed_webhooks(300, 7) != fuzzed_webhooks(300, 8)
    kinds = Counter(hook.kind for hook in hooks)
    assert set(kinds) == BODY_MUTATIONS | {"field", "mislabelled"}
    assert kinds["field"] > COUNT // 3
    assert {hook.provider for hook in hooks} == {"github", "gitlab"}
    github = hooks[0] if hooks[0].provider == "github" else hooks[1]
    headers = github.headers("s3cret", delivery="d-1")
    assert verify_github(b"s3cret", github.body, headers["X-Hub-Signature-256"])
    assert headers["X-GitHub-Event"] == github.event and headers["X-GitHub-Delivery"] == "d-1"


# --- the pipeline on every fuzzed body --------------------------------------------------------


def test_every_fuzzed_body_is_a_4xx_or_acknowledged(
    hooks: list[FuzzedWebhook], tmp_path: Path
) -> None:
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    statuses: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    for number, hook in enumerate(hooks):
        status, outcome = ingest(inbox, hook, f"fuzz-{number}")
        assert status in hook.statuses(), (status, outcome, hook.mutation)
        if hook.expect != "any":
            assert outcome == hook.expect, hook.mutation  # "bad_json" or "invalid"
        statuses[status] += 1
        outcomes[outcome] += 1
    # a fuzzer that only produced garbage would prove nothing about the deeper paths
    assert set(statuses) == {200, 202, 400}
    assert {"queued", "duplicate_head", "ignored", "invalid", "bad_json"} <= set(outcomes)
    # every stored review is readable by a worker: none is failed as unreadable
    queued, _ = inbox.pending_count()  # fewer than accepted: newer heads superseded some
    assert 0 < queued <= outcomes["queued"]
    claimed = 0
    while (job := inbox.claim("fuzz-worker")) is not None:
        claimed += 1
        check_decision(Decision("review", "claimed", job.target), job.target.provider)
    assert claimed == queued
    assert "codeprism_webhooks_total" in inbox.metrics_text()


WRONG_TYPES: list[Any] = [None, [], {}, "x", "", True, 0, -1, 1.5, 10**30, 2**63, "\ud800", [[[]]]]


def test_every_field_of_every_fixture_with_a_wrong_value() -> None:
    """Exhaustive where the fuzz samples: each value above at each path of each fixture."""
    kinds: Counter[str] = Counter()
    for fixture in fixtures():
        for _ in each_field_set(fixture.payload, WRONG_TYPES):
            decision = CLASSIFY[fixture.provider](fixture.event, fixture.payload, TRIGGERS)
            check_decision(decision, fixture.provider)
            kinds[decision.kind] += 1
    assert set(kinds) == {"review", "ignore", "ping", "invalid"}


OPENED = ("github", "pull_request", "pull_request.opened.json")
MERGE_REQUEST = ("gitlab", "Merge Request Hook", "merge_request.open.docs.json")
REQUIRED = [
    (OPENED, path)
    for path in (
        "action",
        "pull_request",
        "pull_request.number",
        "pull_request.head",
        "pull_request.head.sha",
        "pull_request.base",
        "pull_request.base.sha",
        "repository",
        "repository.full_name",
    )
] + [
    (MERGE_REQUEST, path)
    for path in (
        "object_attributes",
        "object_attributes.action",
        "object_attributes.iid",
        "object_attributes.last_commit",
        "object_attributes.last_commit.id",
        "project",
        "project.path_with_namespace",
        "project.id",
    )
]


@pytest.mark.parametrize(
    "value", [b"null", b"[]", b'"\\ud800"', b"1" + b"0" * 30, b"[" * 60 + b"]" * 60]
)
@pytest.mark.parametrize(("source", "dotted"), REQUIRED)
def test_a_field_a_review_needs_is_named_when_broken(
    source: tuple[str, str, str], dotted: str, value: bytes
) -> None:
    provider, event, name = source
    decision = classify(provider, event, replaced(name, value, *dotted.split(".")))
    assert decision.kind == "invalid"
    assert decision.reason.startswith(dotted + " "), decision.reason


# --- exact cases --------------------------------------------------------------------------------


def payload_of(name: str) -> Any:
    return next(f.payload for f in fixtures() if f.name == name)


def replaced(name: str, raw: bytes, *path: str) -> bytes:
    """A fixture with one value replaced by the raw JSON `raw`, and signed as GitHub signs."""
    body = with_value(payload_of(name), path, raw)
    assert verify_github(SECRET, body, sign_github(SECRET, body))
    return body


def classify(provider: str, event: str, body: bytes) -> Decision:
    parsed, payload = parse_json_body(body)
    assert parsed, payload
    decision = CLASSIFY[provider](event, payload, TRIGGERS)
    check_decision(decision, provider)
    return decision


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000,
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    ],
)
def test_deep_nesting_is_not_json(body: bytes) -> None:
    assert parse_json_body(body) == (False, f"nested deeper than {MAX_DEPTH} levels")


def test_deep_nesting_inside_a_real_payload_is_not_json() -> None:
    name = "pull_request.opened.json"
    for depth in (MAX_DEPTH, 5000):
        body = with_value(payload_of(name), ("pull_request", "title"), b"[" * depth + b"]" * depth)
        assert parse_json_body(body) == (False, f"nested deeper than {MAX_DEPTH} levels")
    body = with_value(payload_of(name), ("pull_request", "title"), b"[" * 50 + b"]" * 50)
    assert classify("github", "pull_request", body).kind == "review"  # a title is only shown
    assert parse_json_body(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)[0] is True


def test_a_pull_request_number_past_64_bits_is_invalid_and_named() -> None:
    name = "pull_request.opened.json"
    for number in (10**30, 2**63):
        body = replaced(name, str(number).encode(), "pull_request", "number")
        assert classify("github", "pull_request", body) == Decision(
            "invalid", "pull_request.number is too large (over 2**63 - 1)"
        )
    largest = replaced(name, str(2**63 - 1).encode(), "pull_request", "number")
    target = classify("github", "pull_request", largest).target
    assert target is not None and target.pr_number == 2**63 - 1
    for field, where in (("installation", "id"), ("repository", "id")):
        body = replaced(name, b"1" + b"0" * 30, field, where)
        expected = "invalid" if field == "installation" else "review"  # repository.id: unused
        assert classify("github", "pull_request", body).kind == expected


@pytest.mark.parametrize("provider", ["github", "gitlab"])
@pytest.mark.parametrize("body", [b"[]", b'[{"action": "opened"}]', b'"x"', b"3", b"null"])
def test_a_body_that_is_not_an_object_is_invalid(
    provider: str, body: bytes, tmp_path: Path
) -> None:
    event = "pull_request" if provider == "github" else "Merge Request Hook"
    parsed, payload = parse_json_body(body)
    assert parsed
    decision = CLASSIFY[provider](event, payload, TRIGGERS)
    assert decision.kind == "invalid"
    assert decision.reason.startswith("payload is not a JSON object but ")
    accepted = Inbox(tmp_path / "inbox.sqlite3").accept(provider, "d", event, decision)
    assert accepted.outcome == "invalid"


@pytest.mark.parametrize(
    "body",
    [b"\xff", b'{"action": "\xff"}', b'{"a": "\xed\xa0\x80"}', b'{"a": "\xc0\xaf"}', b"{\xc3}"],
)
def test_invalid_utf8_is_not_json(body: bytes) -> None:
    parsed, reason = parse_json_body(body)
    assert not parsed and reason.startswith("not UTF-8")


def test_other_encodings_and_a_bom() -> None:
    document = json.dumps({"zen": "Keep it logically awesome."})
    assert parse_json_body(b"\xef\xbb\xbf" + document.encode()) == (True, json.loads(document))
    for encoding in ("utf-16", "utf-32"):
        assert parse_json_body(document.encode(encoding))[0] is False


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"NaN", "NaN is not a JSON number"),
        (b'{"a": -Infinity}', "-Infinity is not a JSON number"),
        (b"[1e999]", "the number 1e999 is out of range"),
        (b"1" * 5000, "a number has too many digits"),
        (b"", "Expecting value (character 0)"),
        (b'{"action": "op', "Unterminated string starting at (character 11)"),
    ],
)
def test_numbers_and_truncation_that_are_not_json(body: bytes, reason: str) -> None:
    assert parse_json_body(body) == (False, reason)


def test_big_but_finite_numbers_parse() -> None:
    assert parse_json_body(b"1" * 4300) == (True, int("1" * 4300))
    assert parse_json_body(b"[1e308, -0.0]") == (True, [1e308, -0.0])


def test_lone_surrogates(tmp_path: Path) -> None:
    name = "pull_request.opened.json"
    titled = classify(
        "github", "pull_request", replaced(name, b'"a\\ud800b"', "pull_request", "title")
    )
    assert titled.target is not None and titled.target.title == "a\ufffdb"
    inbox = Inbox(tmp_path / "inbox.sqlite3")
    assert inbox.accept("github", "d", "pull_request", titled).outcome == "queued"
    job = inbox.claim("worker")
    assert job is not None and job.target == titled.target
    action = classify("github", "pull_request", replaced(name, b'"\\udc80"', "action"))
    assert action == Decision("invalid", "action is not valid Unicode text")
    repo = replaced(name, b'"octo/\\ud800"', "repository", "full_name")
    assert classify("github", "pull_request", repo).reason.startswith("repository.full_name ")


def test_long_strings_are_cut_or_refused() -> None:
    name = "pull_request.opened.json"
    long_title = b'"' + b"t" * 100_000 + b'"'
    titled = classify("github", "pull_request", replaced(name, long_title, "pull_request", "title"))
    assert titled.target is not None and len(titled.target.title) == MAX_TITLE
    long_repo = b'"o/' + b"r" * MAX_NAME + b'"'
    repo = classify("github", "pull_request", replaced(name, long_repo, "repository", "full_name"))
    assert repo == Decision("invalid", "repository.full_name is not owner/name")


def test_reasons_never_render_payload_values() -> None:
    note = {
        "object_attributes": {"noteable_type": list(range(100_000)), "note": "/codeprism review"},
        "merge_request": {},
    }
    decision = classify("gitlab", "Note Hook", json.dumps(note).encode())
    assert decision == Decision("ignore", "comment on an array, not a merge request")
    decision = classify("gitlab", "Note Hook", b'{"object_attributes": {"noteable_type": null}}')
    assert decision == Decision("ignore", "comment on null, not a merge request")


def test_review_target_refuses_what_storage_cannot_hold() -> None:
    fields: dict[str, Any] = {"provider": "api", "repo": "r", "head_sha": None, "base_sha": None}
    for bad in (
        {"pr_number": 2**63},
        {"pr_number": 0},
        {"pr_number": None, "installation_id": -1},
        {"pr_number": None, "title": "\ud800"},
        {"pr_number": None, "repo": "x" * (MAX_NAME + 1)},
    ):
        with pytest.raises(ValidationError):
            ReviewTarget(**{**fields, **bad})


# --- the review API ------------------------------------------------------------------------------

API_BODIES: list[dict[str, Any]] = [
    {"diff": "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n", "repo": "demo"},
    {"repo": "octo/app", "pr": 7, "installation_id": 3},
    {"provider": "gitlab", "repo": "group/project", "pr": 1, "project_id": 5},
    {"provider": "bitbucket", "repo": "team_name/repo_name", "pr": 12},
    {"provider": "bitbucket-dc", "repo": "PROJ/service", "pr": 7},
    {"provider": "bitbucket-dc", "repo": "~JDOE/scratch", "pr": 7},  # a personal project
    {"provider": "azure", "repo": "Fabrikam Fiber/web app", "pr": 21},
]
HOSTILE: list[Any] = [*WRONG_TYPES, "a\udc80b", "../../etc", "a" * 100_000, 2**63 - 1, "gitlab"]


@pytest.mark.parametrize("base", API_BODIES)
def test_review_api_bodies_with_any_field_broken(base: dict[str, Any]) -> None:
    assert check_api(dict(base)).kind == "review"
    for key in [*base, "provider", "diff"]:
        for value in HOSTILE:
            check_api({**base, key: value})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ([1], "the body must be a JSON object"),
        ({"repo": "octo/app", "pr": 10**30}, "bad fields: pr_number"),
        ({"repo": "octo/app", "pr": True}, "pr must be an integer"),
        ({"repo": "octo/app", "pr": "7"}, "pr must be an integer"),
        ({"repo": "../../etc", "pr": 7}, "repo is not a repository name on github"),
        (
            {"provider": "bitbucket-dc", "repo": "PROJ/a/b", "pr": 7},
            "repo is not a repository name on bitbucket-dc",
        ),
        ({"provider": "azure", "repo": "../x", "pr": 7}, "repo is not a repository name on azure"),
        (
            {"provider": "gitlab", "repo": "g/p", "pr": 1},
            "a GitLab merge request needs its project_id",
        ),
        ({"diff": "\ud800"}, "diff is not UTF-8 text (a lone surrogate)"),
        ({"diff": "x", "repo": ["a"]}, "repo must be a string label"),
        ({"diff": "x", "repo": "\ud800"}, "bad fields: repo"),
    ],
)
def test_review_api_refusals(body: Any, reason: str) -> None:
    assert check_api(body) == Decision("invalid", reason)


def test_review_api_keeps_raw_bytes_of_a_diff() -> None:
    # \udcXX escapes stand for bytes that are not UTF-8 (surrogateescape), as before
    decision = check_api({"diff": "caf\udce9"})
    assert decision.kind == "review"
