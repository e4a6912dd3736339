"""Webhook signatures and event classification, on GitHub's and GitLab's published payloads.

The fixtures are copied into tests/fixtures (provenance in its README); a missing folder or
file fails these tests, it does not skip them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from codeprism.webhooks.events import (
    MAX_LABELS,
    MAX_NAME,
    Decision,
    ReviewTarget,
    TriggerOptions,
    classify_github,
    classify_gitlab,
)
from codeprism.webhooks.signature import github_signature, verify_github, verify_gitlab

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"  # see fixtures/README.md
DEFAULT = TriggerOptions()
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
GITLAB_HEAD = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"


# file -> expected kind, and for reviews (repo, pr number, head sha, installation id)
GITHUB_EXPECTED: dict[str, tuple[str, tuple[str, int, str | None, int | None] | None]] = {
    "check_run.rerequested.json": ("ignore", None),
    "check_suite.completed.json": ("ignore", None),
    "check_suite.requested.json": ("ignore", None),
    "check_suite.rerequested.json": ("ignore", None),
    "installation.created.json": ("ignore", None),
    "installation.deleted.json": ("ignore", None),
    "installation_repositories.added.json": ("ignore", None),
    "issue_comment.created.json": ("ignore", None),
    "issue_comment.created.with-installation.json": ("ignore", None),
    "ping.json": ("ping", None),
    "ping.with-app_id.json": ("ping", None),
    "pull_request.closed.json": ("ignore", None),
    "pull_request.converted_to_draft.json": ("ignore", None),
    "pull_request.opened.json": ("review", ("Codertocat/Hello-World", 2, HEAD, 1)),
    "pull_request.opened.with-null-body.json": ("review", ("Codertocat/Hello-World", 2, HEAD, 1)),
    "pull_request.opened.with-organization.json": (
        "review",
        ("Codertocat/Hello-World", 2, HEAD, 1),
    ),
    "pull_request.ready_for_review.with-installation.json": (
        "review",
        ("Codertocat/Hello-World", 2, HEAD, 1),
    ),
    "pull_request.reopened.json": ("review", ("Codertocat/Hello-World", 2, HEAD, 1)),
    "pull_request.synchronize.json": ("review", ("Codertocat/Hello-World", 2, HEAD, 1)),
    "pull_request_review.submitted.json": ("ignore", None),
    "pull_request_review_comment.created.json": ("ignore", None),
    "push.json": ("ignore", None),
    "push.with-installation.json": ("ignore", None),
    "push.with-new-branch.json": ("ignore", None),
}
GITLAB_EXPECTED = {
    "merge_request.open.docs.json": (
        "review",
        ("gitlabhq/gitlab-test", 1, GITLAB_HEAD, None),
    ),
}


def load(provider: str, name: str) -> Any:
    return json.loads((FIXTURES / provider / name).read_text(encoding="utf-8"))


def test_every_fixture_is_in_the_table() -> None:
    # A fixture added later must get an expected outcome here, not go untested.
    assert sorted(p.name for p in (FIXTURES / "github").glob("*.json")) == sorted(GITHUB_EXPECTED)
    assert sorted(p.name for p in (FIXTURES / "gitlab").glob("*.json")) == sorted(GITLAB_EXPECTED)


def check(decision: Decision, kind: str, review: tuple[Any, ...] | None) -> None:
    assert decision.kind == kind, decision.reason
    assert decision.reason
    if review is None:
        assert decision.target is None
        return
    assert decision.target is not None
    t = decision.target
    assert (t.repo, t.pr_number, t.head_sha, t.installation_id) == review


@pytest.mark.parametrize("name", sorted(GITHUB_EXPECTED))
def test_github_fixture(name: str) -> None:
    kind, review = GITHUB_EXPECTED[name]
    check(classify_github(name.split(".")[0], load("github", name), DEFAULT), kind, review)


@pytest.mark.parametrize("name", sorted(GITLAB_EXPECTED))
def test_gitlab_fixture(name: str) -> None:
    kind, review = GITLAB_EXPECTED[name]
    decision = classify_gitlab("Merge Request Hook", load("gitlab", name), DEFAULT)
    check(decision, kind, review)
    assert decision.target is not None
    assert decision.target.project_id == 1
    assert decision.target.provider == "gitlab"


def test_github_review_target_in_full() -> None:
    decision = classify_github("pull_request", load("github", "pull_request.opened.json"), DEFAULT)
    assert decision == Decision(
        "review",
        "pull_request opened",
        ReviewTarget(
            provider="github",
            repo="Codertocat/Hello-World",
            pr_number=2,
            head_sha=HEAD,
            base_sha=BASE,
            installation_id=1,
            title="Update the README with new information.",
            author="Codertocat",
            labels=("bug",),
            source_branch="changes",
            target_branch="master",
        ),
    )
    assert decision.target is not None
    assert decision.target.pr_key() == "github/Codertocat/Hello-World#2"
    assert decision.target.trigger == "event"


def test_gitlab_review_target_in_full() -> None:
    decision = classify_gitlab(
        "Merge Request Hook", load("gitlab", "merge_request.open.docs.json"), DEFAULT
    )
    assert decision == Decision(
        "review",
        "merge request open",
        ReviewTarget(
            provider="gitlab",
            repo="gitlabhq/gitlab-test",
            pr_number=1,
            head_sha=GITLAB_HEAD,
            base_sha=None,
            project_id=1,
            title="MS-Viewport",
            author="root",
            labels=("API",),
            source_branch="ms-viewport",
            target_branch="master",
        ),
    )


# --- what the pull request filters look at ------------------------------------------------------


def test_filter_fields_are_optional_and_never_make_an_event_invalid() -> None:
    """A pull request event without an author, labels or branch names (or with odd ones) is
    still reviewed; the fields are just unknown."""
    payload = copy.deepcopy(load("github", "pull_request.opened.json"))
    pr = payload["pull_request"]
    pr["user"] = None
    pr["labels"] = [{"name": "ok"}, {"name": 3}, "text", {"name": ""}, {"name": "x\ud800"}]
    pr["head"]["ref"] = ["not", "a", "name"]
    del pr["base"]["ref"]
    decision = classify_github("pull_request", payload, DEFAULT)
    assert decision.kind == "review", decision.reason
    assert decision.target is not None
    t = decision.target
    assert (t.author, t.labels, t.source_branch, t.target_branch) == (
        None,
        ("ok", "x\ufffd"),
        None,
        None,
    )


def test_labels_and_names_are_bounded() -> None:
    payload = copy.deepcopy(load("github", "pull_request.opened.json"))
    payload["pull_request"]["labels"] = [{"name": f"l{n}"} for n in range(10_000)]
    payload["pull_request"]["user"]["login"] = "u" * 5000
    decision = classify_github("pull_request", payload, DEFAULT)
    assert decision.target is not None
    assert len(decision.target.labels) == MAX_LABELS
    assert decision.target.author == "u" * MAX_NAME


def test_gitlab_labels_from_either_place() -> None:
    payload = copy.deepcopy(load("gitlab", "merge_request.open.docs.json"))
    del payload["labels"]
    payload["object_attributes"]["labels"] = [{"title": "wip"}]
    decision = classify_gitlab("Merge Request Hook", payload, DEFAULT)
    assert decision.target is not None and decision.target.labels == ("wip",)


def test_reasons_name_what_was_ignored() -> None:
    closed = classify_github("pull_request", load("github", "pull_request.closed.json"), DEFAULT)
    assert "'closed'" in closed.reason
    push = classify_github("push", load("github", "push.json"), DEFAULT)
    assert push.reason == "event 'push' does not start a review"
    comment = classify_github(
        "issue_comment", load("github", "issue_comment.created.json"), DEFAULT
    )
    assert comment.reason == "comment on an issue, not a pull request"


# --- drafts -----------------------------------------------------------------------------------


def github_draft() -> dict[str, Any]:
    payload = load("github", "pull_request.converted_to_draft.json")
    assert payload["pull_request"]["draft"] is True
    payload["action"] = "synchronize"  # a push to a draft pull request
    return payload


def test_github_draft_skipped_by_default() -> None:
    decision = classify_github("pull_request", github_draft(), DEFAULT)
    assert decision.kind == "ignore"
    assert "draft pull request" in decision.reason


def test_github_draft_reviewed_when_configured() -> None:
    decision = classify_github("pull_request", github_draft(), TriggerOptions(review_drafts=True))
    assert decision.kind == "review"
    assert decision.target is not None
    assert decision.target.draft is True
    assert decision.target.head_sha == HEAD


@pytest.mark.parametrize("flag", ["draft", "work_in_progress"])
def test_gitlab_draft(flag: str) -> None:
    payload = load("gitlab", "merge_request.open.docs.json")
    payload["object_attributes"][flag] = True
    skipped = classify_gitlab("Merge Request Hook", payload, DEFAULT)
    assert (skipped.kind, skipped.reason) == (
        "ignore",
        "draft merge request (drafts are not reviewed)",
    )
    reviewed = classify_gitlab("Merge Request Hook", payload, TriggerOptions(review_drafts=True))
    assert reviewed.kind == "review"
    assert reviewed.target is not None and reviewed.target.draft is True


# --- GitLab actions ----------------------------------------------------------------------------


def gitlab_mr(action: str, oldrev: str | None = None) -> dict[str, Any]:
    payload = load("gitlab", "merge_request.open.docs.json")
    payload["object_attributes"]["action"] = action
    if oldrev is not None:
        payload["object_attributes"]["oldrev"] = oldrev
    return payload


@pytest.mark.parametrize(
    ("action", "oldrev", "kind"),
    [
        ("open", None, "review"),
        ("reopen", None, "review"),
        ("update", "0" * 39 + "1", "review"),  # new commits were pushed
        ("update", None, "ignore"),  # title or label edit
        ("close", None, "ignore"),
        ("merge", None, "ignore"),
        ("approved", None, "ignore"),
    ],
)
def test_gitlab_actions(action: str, oldrev: str | None, kind: str) -> None:
    decision = classify_gitlab("Merge Request Hook", gitlab_mr(action, oldrev), DEFAULT)
    assert decision.kind == kind, decision.reason
    if kind == "review":
        assert decision.target is not None
        assert decision.target.head_sha == GITLAB_HEAD
        assert decision.target.pr_key() == "gitlab/gitlabhq/gitlab-test#1"


def test_gitlab_other_events_ignored() -> None:
    payload = load("gitlab", "merge_request.open.docs.json")
    for event in ("Push Hook", "Tag Push Hook", "Pipeline Hook"):
        decision = classify_gitlab(event, payload, DEFAULT)
        assert decision == Decision("ignore", f"event {event!r} does not start a review")


# --- review commands in comments ---------------------------------------------------------------


def pr_comment(body: Any, action: str = "created") -> dict[str, Any]:
    payload = load("github", "issue_comment.created.with-installation.json")
    payload["action"] = action
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/x/y/pulls/1"}
    payload["comment"]["body"] = body
    return payload


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("/codeprism review", "review"),
        ("  /codeprism review please\nthanks", "review"),
        ("\n\n/codeprism review", "review"),
        ("/codeprism reviewer", "ignore"),  # not the command, only a longer word
        ("LGTM\n/codeprism review", "ignore"),  # the command must be the first line
        ("please /codeprism review", "ignore"),
        ("", "ignore"),
        (None, "ignore"),
    ],
)
def test_github_comment_command(body: Any, kind: str) -> None:
    decision = classify_github("issue_comment", pr_comment(body), DEFAULT)
    assert decision.kind == kind, decision.reason
    if kind == "review":
        assert decision.target == ReviewTarget(
            provider="github",
            repo="Codertocat/Hello-World",
            pr_number=1,
            head_sha=None,  # the orchestrator fetches the head
            base_sha=None,
            installation_id=1,
            title="Spelling error in the README file",
            trigger="command",  # asked for: the pull request filters do not apply
        )


def test_comment_command_is_configurable() -> None:
    options = TriggerOptions(command="@bot check")
    assert classify_github("issue_comment", pr_comment("@bot check"), options).kind == "review"
    assert classify_github("issue_comment", pr_comment("/codeprism review"), options).kind == (
        "ignore"
    )


@pytest.mark.parametrize("command", ["", "  ", " /review", "/review\nnow"])
def test_bad_command_refused(command: str) -> None:
    with pytest.raises(ValueError):
        TriggerOptions(command=command)


def test_edited_or_deleted_comment_does_not_trigger() -> None:
    for action in ("edited", "deleted"):
        decision = classify_github(
            "issue_comment", pr_comment("/codeprism review", action), DEFAULT
        )
        assert decision.kind == "ignore"
        assert repr(action) in decision.reason


def test_command_on_a_plain_issue_does_not_trigger() -> None:
    payload = load("github", "issue_comment.created.json")
    payload["comment"]["body"] = "/codeprism review"
    decision = classify_github("issue_comment", payload, DEFAULT)
    assert decision == Decision("ignore", "comment on an issue, not a pull request")


def gitlab_note(note: str, noteable_type: str = "MergeRequest") -> dict[str, Any]:
    mr = load("gitlab", "merge_request.open.docs.json")
    return {
        "object_kind": "note",
        "event_type": "note",
        "project": mr["project"],
        "object_attributes": {"note": note, "noteable_type": noteable_type},
        "merge_request": {
            "iid": 1,
            "title": "MS-Viewport",
            "last_commit": {"id": GITLAB_HEAD},
            "draft": False,
        },
    }


def test_gitlab_note_command() -> None:
    decision = classify_gitlab("Note Hook", gitlab_note("/codeprism review"), DEFAULT)
    assert decision.target == ReviewTarget(
        provider="gitlab",
        repo="gitlabhq/gitlab-test",
        pr_number=1,
        head_sha=GITLAB_HEAD,
        base_sha=None,
        project_id=1,
        title="MS-Viewport",
        trigger="command",
    )
    assert classify_gitlab("Note Hook", gitlab_note("nice work"), DEFAULT).kind == "ignore"
    on_issue = gitlab_note("/codeprism review", noteable_type="Issue")
    on_issue.pop("merge_request")
    assert classify_gitlab("Note Hook", on_issue, DEFAULT) == Decision(
        "ignore", "comment on a 'Issue', not a merge request"
    )


# --- malformed payloads ------------------------------------------------------------------------


def without(payload: dict[str, Any], *path: str) -> dict[str, Any]:
    payload = copy.deepcopy(payload)
    node = payload
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return payload


def replaced(payload: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    payload = copy.deepcopy(payload)
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return payload


OPENED = load("github", "pull_request.opened.json")
MR = load("gitlab", "merge_request.open.docs.json")

GITHUB_MALFORMED: list[tuple[str, Any, str]] = [
    ("pull_request", [], "payload is not a JSON object but an array"),
    ("pull_request", None, "payload is not a JSON object but null"),
    ("pull_request", "text", "payload is not a JSON object but a string"),
    ("pull_request", 3, "payload is not a JSON object but a number"),
    ("ping", [1, 2], "payload is not a JSON object but an array"),
    ("pull_request", {}, "action is missing"),
    ("pull_request", {"action": 1}, "action is not a non-empty string"),
    ("pull_request", without(OPENED, "pull_request"), "pull_request is missing"),
    ("pull_request", replaced(OPENED, [], "pull_request"), "pull_request is not an object"),
    ("pull_request", without(OPENED, "repository"), "repository is missing"),
    (
        "pull_request",
        without(OPENED, "repository", "full_name"),
        "repository.full_name is missing",
    ),
    (
        "pull_request",
        replaced(OPENED, "../../etc", "repository", "full_name"),
        "repository.full_name is not owner/name",
    ),
    (
        "pull_request",
        without(OPENED, "pull_request", "number"),
        "pull_request.number is missing",
    ),
    (
        "pull_request",
        replaced(OPENED, "2", "pull_request", "number"),
        "pull_request.number is not a positive integer",
    ),
    (
        "pull_request",
        replaced(OPENED, True, "pull_request", "number"),
        "pull_request.number is not a positive integer",
    ),
    (
        "pull_request",
        without(OPENED, "pull_request", "head"),
        "pull_request.head is missing",
    ),
    (
        "pull_request",
        replaced(OPENED, "main", "pull_request", "head", "sha"),
        "pull_request.head.sha is not a commit SHA",
    ),
    (
        "pull_request",
        replaced(OPENED, None, "pull_request", "base", "sha"),
        "pull_request.base.sha is missing",
    ),
    (
        "pull_request",
        replaced(OPENED, {"id": "one"}, "installation"),
        "installation.id is not a positive integer",
    ),
    ("", OPENED, "missing event name (X-GitHub-Event)"),
    (
        "issue_comment",
        replaced(pr_comment("/codeprism review"), None, "issue", "number"),
        "issue.number is missing",
    ),
    (
        "issue_comment",
        replaced(pr_comment("/codeprism review"), "x", "comment"),
        "comment is not an object",
    ),
    ("issue_comment", {"action": "created", "issue": 5}, "issue is not an object"),
]


@pytest.mark.parametrize(("event", "payload", "reason"), GITHUB_MALFORMED)
def test_github_malformed_is_invalid(event: str, payload: Any, reason: str) -> None:
    assert classify_github(event, payload, DEFAULT) == Decision("invalid", reason)


GITLAB_MALFORMED: list[tuple[str, Any, str]] = [
    ("Merge Request Hook", [], "payload is not a JSON object but an array"),
    ("Merge Request Hook", None, "payload is not a JSON object but null"),
    ("Merge Request Hook", {}, "object_attributes is missing"),
    (
        "Merge Request Hook",
        without(MR, "object_attributes", "action"),
        "object_attributes.action is missing",
    ),
    ("Merge Request Hook", without(MR, "project"), "project is missing"),
    (
        "Merge Request Hook",
        replaced(MR, 7, "project", "path_with_namespace"),
        "project.path_with_namespace is not a non-empty string",
    ),
    (
        "Merge Request Hook",
        replaced(MR, "noslash", "project", "path_with_namespace"),
        "project.path_with_namespace is not a group/project path",
    ),
    (
        "Merge Request Hook",
        replaced(MR, "1", "project", "id"),
        "project.id is not a positive integer",
    ),
    (
        "Merge Request Hook",
        without(MR, "object_attributes", "iid"),
        "object_attributes.iid is missing",
    ),
    (
        "Merge Request Hook",
        without(MR, "object_attributes", "last_commit"),
        "object_attributes.last_commit is missing",
    ),
    (
        "Merge Request Hook",
        replaced(MR, "yes", "object_attributes", "draft"),
        "object_attributes.draft is not a boolean",
    ),
    (
        "Note Hook",
        replaced(gitlab_note("/codeprism review"), [], "merge_request"),
        "merge_request is not an object",
    ),
    (
        "Note Hook",
        replaced(gitlab_note("/codeprism review"), {"id": 5}, "merge_request", "last_commit"),
        "merge_request.last_commit.id is not a commit SHA",
    ),
    ("", MR, "missing event name (X-Gitlab-Event)"),
]


@pytest.mark.parametrize(("event", "payload", "reason"), GITLAB_MALFORMED)
def test_gitlab_malformed_is_invalid(event: str, payload: Any, reason: str) -> None:
    assert classify_gitlab(event, payload, DEFAULT) == Decision("invalid", reason)


def test_ignored_events_need_no_review_fields() -> None:
    # A closed pull request with a broken head is still just "closed": nothing to review.
    payload = replaced(load("github", "pull_request.closed.json"), None, "pull_request", "head")
    assert classify_github("pull_request", payload, DEFAULT).kind == "ignore"


def test_long_event_names_are_clipped_in_reasons() -> None:
    decision = classify_github("x" * 10_000, {}, DEFAULT)
    assert decision.kind == "ignore"
    assert len(decision.reason) < 120


def test_decision_target_only_for_reviews() -> None:
    target = ReviewTarget(
        provider="api", repo="label", pr_number=None, head_sha=None, base_sha=None
    )
    with pytest.raises(ValueError):
        Decision("review", "no target")
    with pytest.raises(ValueError):
        Decision("ignore", "target", target)
    assert target.pr_key() == "api/label"


# --- signatures --------------------------------------------------------------------------------

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
PUBLISHED = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_published_example() -> None:
    assert github_signature(SECRET, BODY) == PUBLISHED
    assert verify_github(SECRET, BODY, PUBLISHED) is True
    assert verify_github(SECRET, BODY, PUBLISHED.upper().replace("SHA256=", "sha256=")) is True


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        (SECRET, b"Hello, World?", PUBLISHED),  # tampered body
        (b"It's a Secret to Everybody!", BODY, PUBLISHED),  # wrong secret
        (SECRET, BODY, None),  # missing header
        (SECRET, BODY, ""),
        (SECRET, BODY, "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"),  # sha1 only
        (SECRET, BODY, PUBLISHED.replace("sha256=", "sha512=")),
        (SECRET, BODY, PUBLISHED.removeprefix("sha256=")),  # no prefix
        (SECRET, BODY, PUBLISHED[:-2]),  # too short
        (SECRET, BODY, PUBLISHED + "00"),  # too long
        (SECRET, BODY, PUBLISHED[:-2] + "zz"),  # not hex
        (SECRET, BODY, PUBLISHED[:-2] + " 1"),  # whitespace that bytes.fromhex would skip
        (SECRET, BODY, PUBLISHED[:-2] + "é1"),
        (b"", BODY, github_signature(b"", BODY)),  # no secret configured: refuse everything
    ],
)
def test_github_signature_refused(secret: bytes, body: bytes, header: str | None) -> None:
    assert verify_github(secret, body, header) is False


def test_gitlab_token() -> None:
    assert verify_gitlab("s3cret-token", "s3cret-token") is True
    for token in (None, "", "s3cret-toke", "s3cret-token ", "S3CRET-TOKEN", "\udc80"):
        assert verify_gitlab("s3cret-token", token) is False
    assert verify_gitlab("", "") is False
