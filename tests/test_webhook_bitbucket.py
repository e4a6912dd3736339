"""Bitbucket Cloud webhooks: `classify_bitbucket` on payloads shaped like the documented
`pullrequest:*` events (Bitbucket Cloud's "Event payloads" page: a `pullrequest` with its
`source`/`destination` branch and 12-digit commit hash, `repository.full_name`, `actor`), and
the `X-Hub-Signature` check. Bodies of any other shape are decisions, never exceptions."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from codeprism.webhooks.events import TriggerOptions, classify_bitbucket
from codeprism.webhooks.signature import bitbucket_signature, verify_bitbucket

OPTIONS = TriggerOptions()
HEAD = "d3f1a2b4c5e6f708192a3b4c5d6e7f8091a2b3c4"
BASE = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
USER = {
    "type": "user",
    "display_name": "Emma Dev",
    "nickname": "emmadev",
    "account_id": "557058:c0b8e5b6-1e1c-4a4a-9b6e-2f0ad0c1e2f3",
    "uuid": "{d301aafa-d676-4ee0-88be-962be7417567}",
    "links": {
        "html": {"href": "https://bitbucket.org/%7Bd301aafa-d676-4ee0-88be-962be7417567%7D/"}
    },
}
REPOSITORY = {
    "type": "repository",
    "full_name": "team_name/repo_name",
    "name": "repo_name",
    "uuid": "{21fa9bf8-b5b2-4891-97ed-d590bad0f871}",
    "is_private": True,
    "scm": "git",
    "links": {"html": {"href": "https://bitbucket.org/team_name/repo_name"}},
    "workspace": {"type": "workspace", "slug": "team_name", "name": "Team"},
}


def end(sha: str, branch: str) -> dict[str, Any]:
    return {
        "branch": {"name": branch},
        "commit": {
            "type": "commit",
            "hash": sha,
            "links": {
                "self": {
                    "href": f"https://api.bitbucket.org/2.0/repositories/team_name/repo_name/commit/{sha}"
                }
            },
        },
        "repository": REPOSITORY,
    }


def pull_request_event(**changes: Any) -> dict[str, Any]:
    """A pullrequest:created body as Bitbucket Cloud sends it (short commit hashes)."""
    pullrequest = {
        "type": "pullrequest",
        "id": 12,
        "title": "Add the exporter",
        "description": "",
        "state": "OPEN",
        "draft": False,
        "author": USER,
        "source": end(HEAD[:12], "feature/exporter"),
        "destination": end(BASE[:12], "main"),
        "merge_commit": None,
        "participants": [],
        "reviewers": [],
        "close_source_branch": False,
        "reason": "",
        "created_on": "2024-05-02T10:14:07.161845+00:00",
        "updated_on": "2024-05-02T10:14:07.998913+00:00",
        "links": {
            "html": {"href": "https://bitbucket.org/team_name/repo_name/pull-requests/12"},
            "diff": {
                "href": "https://api.bitbucket.org/2.0/repositories/team_name/repo_name/pullrequests/12/diff"
            },
        },
    }
    pullrequest.update(changes)
    return {"actor": USER, "pullrequest": pullrequest, "repository": REPOSITORY}


def comment_event(raw: str) -> dict[str, Any]:
    body = pull_request_event()
    body["comment"] = {
        "type": "pullrequest_comment",
        "id": 501,
        "content": {"type": "rendered", "raw": raw, "markup": "markdown", "html": f"<p>{raw}</p>"},
        "user": USER,
        "deleted": False,
        "inline": None,
    }
    return body


def test_a_created_pull_request_is_reviewed_and_its_short_head_left_to_the_orchestrator() -> None:
    decision = classify_bitbucket("pullrequest:created", pull_request_event(), OPTIONS)
    assert decision.kind == "review", decision.reason
    target = decision.target
    assert target is not None
    assert (target.provider, target.repo, target.pr_number) == (
        "bitbucket",
        "team_name/repo_name",
        12,
    )
    assert target.head_sha is None and target.base_sha is None  # 12 digits: not a full hash
    assert (target.author, target.source_branch, target.target_branch) == (
        "emmadev",
        "feature/exporter",
        "main",
    )
    assert target.title == "Add the exporter" and target.trigger == "event"
    assert target.pr_key() == "bitbucket/team_name/repo_name#12"


def test_a_full_head_hash_is_kept() -> None:
    body = pull_request_event(source=end(HEAD.upper(), "feature/exporter"))
    target = classify_bitbucket("pullrequest:updated", body, OPTIONS).target
    assert target is not None and target.head_sha == HEAD


@pytest.mark.parametrize("state", ["MERGED", "DECLINED", "SUPERSEDED"])
def test_closed_pull_requests_are_ignored(state: str) -> None:
    decision = classify_bitbucket("pullrequest:updated", pull_request_event(state=state), OPTIONS)
    assert decision.kind == "ignore" and state in decision.reason


def test_drafts_follow_the_option() -> None:
    body = pull_request_event(draft=True)
    assert classify_bitbucket("pullrequest:created", body, OPTIONS).kind == "ignore"
    drafts = TriggerOptions(review_drafts=True)
    assert classify_bitbucket("pullrequest:created", body, drafts).kind == "review"


@pytest.mark.parametrize(
    "event",
    ["pullrequest:fulfilled", "pullrequest:rejected", "repo:push", "pullrequest:approved"],
)
def test_other_events_are_ignored(event: str) -> None:
    assert classify_bitbucket(event, pull_request_event(), OPTIONS).kind == "ignore"


def test_a_review_command_comment_asks_for_the_head() -> None:
    decision = classify_bitbucket(
        "pullrequest:comment_created", comment_event("/codeprism review please"), OPTIONS
    )
    assert decision.kind == "review" and decision.target is not None
    assert decision.target.trigger == "command" and decision.target.head_sha is None
    other = classify_bitbucket("pullrequest:comment_created", comment_event("LGTM"), OPTIONS)
    assert other.kind == "ignore"


def _set(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = body
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # the documentation's template values, as a careless test sender posts them
        ("pullrequest.state", "OPEN|MERGED|DECLINED"),
        ("pullrequest.id", "12"),
        ("pullrequest.id", True),
        ("pullrequest.id", 2**64),
        ("pullrequest.source.commit.hash", "<commit hash>"),
        ("pullrequest.source.commit.hash", "d3f1"),  # too short to name a commit
        ("pullrequest.source.commit.hash", None),
        ("pullrequest.source.commit", "d3f1a2b4c5e6"),
        ("pullrequest.destination.commit.hash", "zzzzzzzzzzzz"),
        ("pullrequest.draft", "false"),
        ("repository.full_name", "team_name"),
        ("repository.full_name", "../repo_name"),
        ("repository.full_name", ["team_name/repo_name"]),
        ("repository", _DELETE),
        ("pullrequest", []),
        ("pullrequest.source", _DELETE),
    ],
)
def test_malformed_and_template_payloads_are_invalid(path: str, value: Any) -> None:
    body = _set(pull_request_event(), path, value)
    decision = classify_bitbucket("pullrequest:created", body, OPTIONS)
    assert decision.kind == "invalid", (path, value, decision)


@pytest.mark.parametrize("payload", [None, [], "text", 12, 1.5, True])
def test_a_body_that_is_not_an_object_is_invalid(payload: object) -> None:
    assert classify_bitbucket("pullrequest:created", payload, OPTIONS).kind == "invalid"
    assert classify_bitbucket("", {}, OPTIONS).kind == "invalid"


def test_every_truncation_of_a_real_body_is_a_decision() -> None:
    """Each field removed or replaced by null, an array or a number: never an exception."""
    body = pull_request_event()

    def paths(node: Any, prefix: str = "") -> list[str]:
        if not isinstance(node, dict):
            return []
        found = []
        for key, child in node.items():
            found.append(prefix + key)
            found += paths(child, prefix + key + ".")
        return found

    for path in paths(body):
        for value in (_DELETE, None, [], 0, "x"):
            for event in ("pullrequest:created", "pullrequest:comment_created"):
                decision = classify_bitbucket(event, _set(body, path, value), OPTIONS)
                assert decision.kind in ("review", "ignore", "invalid")


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    secret, body = b"bitbucket-secret", json.dumps(pull_request_event()).encode()
    header = bitbucket_signature(secret, body)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert verify_bitbucket(secret, body, header)
    assert verify_bitbucket(secret, body, header.upper().replace("SHA256=", "sha256="))
    for forged in (
        None,
        "",
        header[:-1],
        header[:-1] + ("0" if header[-1] != "0" else "1"),
        header.replace("sha256=", "sha1="),
        "sha256=" + "g" * 64,
        bitbucket_signature(b"other", body),
    ):
        assert not verify_bitbucket(secret, body, forged), forged
    assert not verify_bitbucket(secret, body + b" ", header)
    assert not verify_bitbucket(b"", body, bitbucket_signature(b"", body))
