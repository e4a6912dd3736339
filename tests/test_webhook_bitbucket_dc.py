"""Bitbucket Data Center webhooks: `classify_bitbucket_dc` on payloads shaped like the
documented `pr:*` events (Bitbucket Data Center's "Event payload" page: `eventKey`, `date`,
`actor`, a `pullRequest` with `fromRef`/`toRef` naming full `latestCommit` hashes and
`repository.project.key`, and `comment` for `pr:comment:added`). Bodies of any other shape
are decisions, never exceptions. The signature is Cloud's check (`X-Hub-Signature`)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from codeprism.webhooks.events import TriggerOptions, classify_bitbucket_dc
from codeprism.webhooks.signature import bitbucket_signature, verify_bitbucket

OPTIONS = TriggerOptions()
HEAD = "ef8755f06ee4b28c96a847a95cb8ec8ed6ddd1ca"
BASE = "178864a7d521b6f5e720b386b2c2b0ef8563e0dc"
ADMIN = {
    "name": "admin",
    "emailAddress": "admin@example.com",
    "id": 1,
    "displayName": "Administrator",
    "active": True,
    "slug": "admin",
    "type": "NORMAL",
}
REPOSITORY = {
    "slug": "repository",
    "id": 84,
    "name": "repository",
    "scmId": "git",
    "state": "AVAILABLE",
    "statusMessage": "Available",
    "forkable": True,
    "project": {"key": "PROJ", "id": 84, "name": "project", "public": False, "type": "NORMAL"},
    "public": False,
}


def ref(branch: str, sha: str) -> dict[str, Any]:
    return {
        "id": f"refs/heads/{branch}",
        "displayId": branch,
        "latestCommit": sha,
        "repository": copy.deepcopy(REPOSITORY),
    }


def pull_request_event(event: str = "pr:opened", **changes: Any) -> dict[str, Any]:
    """A pr:opened body as Bitbucket Data Center sends it."""
    pull_request = {
        "id": 1,
        "version": 0,
        "title": "a new file added",
        "state": "OPEN",
        "open": True,
        "closed": False,
        "createdDate": 1505779091796,
        "updatedDate": 1505779091796,
        "fromRef": ref("a-branch", HEAD),
        "toRef": ref("master", BASE),
        "locked": False,
        "author": {"user": ADMIN, "role": "AUTHOR", "approved": False, "status": "UNAPPROVED"},
        "reviewers": [],
        "participants": [],
        "links": {"self": [None]},
    }
    pull_request.update(changes)
    return {
        "eventKey": event,
        "date": "2017-09-19T09:58:11+1000",
        "actor": ADMIN,
        "pullRequest": pull_request,
    }


def comment_event(text: str) -> dict[str, Any]:
    body = pull_request_event("pr:comment:added")
    body["comment"] = {
        "properties": {"repositoryId": 84},
        "id": 62,
        "version": 0,
        "text": text,
        "author": ADMIN,
        "createdDate": 1505779620393,
        "updatedDate": 1505779620393,
        "comments": [],
        "tasks": [],
    }
    body["commentParentId"] = 43
    return body


def test_an_opened_pull_request_is_reviewed_at_its_head() -> None:
    decision = classify_bitbucket_dc("pr:opened", pull_request_event(), OPTIONS)
    assert decision.kind == "review", decision.reason
    target = decision.target
    assert target is not None
    assert (target.provider, target.repo, target.pr_number) == (
        "bitbucket-dc",
        "PROJ/repository",
        1,
    )
    assert target.head_sha == HEAD and target.base_sha is None
    assert (target.author, target.source_branch, target.target_branch) == (
        "admin",
        "a-branch",
        "master",
    )
    assert target.title == "a new file added" and target.trigger == "event"
    assert target.pr_key() == "bitbucket-dc/PROJ/repository#1"


def test_a_push_to_the_source_branch_is_reviewed() -> None:
    body = pull_request_event("pr:from_ref_updated")
    body["previousFromHash"] = BASE
    decision = classify_bitbucket_dc("pr:from_ref_updated", body, OPTIONS)
    assert decision.kind == "review" and decision.target is not None
    assert decision.target.head_sha == HEAD


def test_a_personal_project_key_is_a_repository_name() -> None:
    body = pull_request_event()
    body["pullRequest"]["toRef"]["repository"]["project"]["key"] = "~jdoe"
    target = classify_bitbucket_dc("pr:opened", body, OPTIONS).target
    assert target is not None and target.repo == "~jdoe/repository"


@pytest.mark.parametrize("state", ["MERGED", "DECLINED"])
def test_closed_pull_requests_are_ignored(state: str) -> None:
    decision = classify_bitbucket_dc("pr:opened", pull_request_event(state=state), OPTIONS)
    assert decision.kind == "ignore" and state in decision.reason


def test_drafts_follow_the_option() -> None:
    body = pull_request_event(draft=True)
    assert classify_bitbucket_dc("pr:opened", body, OPTIONS).kind == "ignore"
    drafts = TriggerOptions(review_drafts=True)
    assert classify_bitbucket_dc("pr:opened", body, drafts).kind == "review"


@pytest.mark.parametrize(
    "event",
    [
        "pr:merged",
        "pr:declined",
        "pr:deleted",
        "pr:modified",
        "repo:refs_changed",
        "pr:reviewer:approved",
    ],
)
def test_other_events_are_ignored(event: str) -> None:
    assert classify_bitbucket_dc(event, pull_request_event(), OPTIONS).kind == "ignore"


def test_test_connection_is_a_ping() -> None:
    assert classify_bitbucket_dc("diagnostics:ping", {"test": True}, OPTIONS).kind == "ping"


def test_a_review_command_comment_asks_for_the_head() -> None:
    decision = classify_bitbucket_dc(
        "pr:comment:added", comment_event("/codeprism review please"), OPTIONS
    )
    assert decision.kind == "review" and decision.target is not None
    assert decision.target.trigger == "command" and decision.target.head_sha is None
    assert decision.target.repo == "PROJ/repository"
    other = classify_bitbucket_dc("pr:comment:added", comment_event("LGTM"), OPTIONS)
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
_TO_REPO = "pullRequest.toRef.repository"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        # the documentation's template values, as a careless test sender posts them
        ("pullRequest.state", "OPEN|MERGED|DECLINED"),
        ("pullRequest.id", "1"),
        ("pullRequest.id", True),
        ("pullRequest.id", 2**64),
        ("pullRequest.fromRef.latestCommit", "<commit hash>"),
        ("pullRequest.fromRef.latestCommit", "ef8755f06ee4"),  # the REST API gives 40 digits
        ("pullRequest.fromRef.latestCommit", None),
        ("pullRequest.toRef.latestCommit", "z" * 40),
        ("pullRequest.fromRef", "refs/heads/a-branch"),
        (f"{_TO_REPO}.slug", "../etc"),
        (f"{_TO_REPO}.slug", "a/b"),
        (f"{_TO_REPO}.slug", ["repository"]),
        (f"{_TO_REPO}.project.key", "{projectKey}"),
        (f"{_TO_REPO}.project", _DELETE),
        (_TO_REPO, _DELETE),
        ("pullRequest", []),
        ("pullRequest.toRef", _DELETE),
    ],
)
def test_malformed_and_template_payloads_are_invalid(path: str, value: Any) -> None:
    body = _set(pull_request_event(), path, value)
    decision = classify_bitbucket_dc("pr:opened", body, OPTIONS)
    assert decision.kind == "invalid", (path, value, decision)


@pytest.mark.parametrize("payload", [None, [], "text", 12, 1.5, True])
def test_a_body_that_is_not_an_object_is_invalid(payload: object) -> None:
    assert classify_bitbucket_dc("pr:opened", payload, OPTIONS).kind == "invalid"
    assert classify_bitbucket_dc("", {}, OPTIONS).kind == "invalid"


def test_every_truncation_of_a_real_body_is_a_decision() -> None:
    """Each field removed or replaced by null, an array or a number: never an exception."""
    body = comment_event("/codeprism review")

    def paths(node: Any, prefix: str = "") -> list[str]:
        if not isinstance(node, dict):
            return []
        found = []
        for key, child in node.items():
            found.append(prefix + key)
            found += paths(child, prefix + key + ".")
        return found

    for path in paths(body):
        for value in (_DELETE, None, [], 0, "x", "\ud800"):
            for event in ("pr:opened", "pr:from_ref_updated", "pr:comment:added"):
                decision = classify_bitbucket_dc(event, _set(body, path, value), OPTIONS)
                assert decision.kind in ("review", "ignore", "invalid")


def test_the_signature_is_cloud_s_hmac_sha256_of_the_body() -> None:
    secret, body = b"dc-secret", json.dumps(pull_request_event()).encode()
    header = bitbucket_signature(secret, body)
    assert verify_bitbucket(secret, body, header)
    assert not verify_bitbucket(secret, body, bitbucket_signature(b"other", body))
    assert not verify_bitbucket(secret, body, None)
